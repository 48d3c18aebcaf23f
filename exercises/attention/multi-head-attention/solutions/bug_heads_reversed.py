import numpy as np


def multi_head_attention(x_q, x_kv, wq, wk, wv, wo, num_heads):
    E = x_q.shape[-1]
    d = E // num_heads
    Q, K, V = x_q @ wq, x_kv @ wk, x_kv @ wv
    out = None
    for h in range(num_heads):
        c = slice(h * d, (h + 1) * d)
        s = Q[..., c] @ K[..., c].transpose(0, 2, 1) / np.sqrt(d)
        p = np.exp(s - s.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        head = p @ V[..., c]
        # bug: each new head is prepended, so the heads end up in reverse order
        out = head if out is None else np.concatenate([head, out], axis=-1)
    return out @ wo

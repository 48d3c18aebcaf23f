import numpy as np


def softmax(s):
    e = np.exp(s - np.max(s, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def multi_head_attention(x_q, x_kv, wq, wk, wv, wo, num_heads):
    E = x_q.shape[-1]
    d = E // num_heads
    Q, K, V = x_q @ wq, x_kv @ wk, x_kv @ wv
    heads = []
    for h in range(num_heads):
        cols = slice(h * d, (h + 1) * d)
        scores = Q[..., cols] @ np.swapaxes(K[..., cols], 1, 2) / np.sqrt(d)
        heads.append(softmax(scores) @ V[..., cols])
    return np.concatenate(heads, axis=-1) @ wo

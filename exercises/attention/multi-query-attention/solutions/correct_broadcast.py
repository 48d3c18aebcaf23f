import numpy as np


def multi_query_attention(x, wq, wk, wv, wo, num_heads):
    B, T, E = x.shape
    d = E // num_heads
    q = (x @ wq).reshape(B, T, num_heads, d)
    k = x @ wk
    v = x @ wv
    s = np.einsum("bthd,bsd->bhts", q, k) / np.sqrt(d)
    s = np.where(np.arange(T)[:, None] >= np.arange(T)[None, :], s, -np.inf)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    heads = np.einsum("bhts,bsd->bthd", p, v)
    return heads.reshape(B, T, E) @ wo

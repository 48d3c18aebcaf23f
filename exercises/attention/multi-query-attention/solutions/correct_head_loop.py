import numpy as np


def multi_query_attention(x, wq, wk, wv, wo, num_heads):
    B, T, E = x.shape
    d = E // num_heads
    k = x @ wk
    v = x @ wv
    future = np.triu(np.ones((T, T), dtype=bool), k=1)
    pieces = []
    for h in range(num_heads):
        q_h = x @ wq[:, h * d : (h + 1) * d]  # this head's columns of the projection
        s = q_h @ k.transpose(0, 2, 1) / np.sqrt(d)
        s[:, future] = -np.inf
        s = s - s.max(axis=2, keepdims=True)
        w = np.exp(s)
        pieces.append((w / w.sum(axis=2, keepdims=True)) @ v)
    return np.concatenate(pieces, axis=-1) @ wo

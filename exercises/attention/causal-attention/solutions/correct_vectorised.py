import numpy as np


def causal_attention(q, k, v):
    T = q.shape[1]
    s = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[2])
    future = np.triu(np.ones((T, T), dtype=bool), k=1)  # j > t
    s[:, future] = -np.inf
    s -= s.max(axis=2, keepdims=True)
    w = np.exp(s)
    return (w / w.sum(axis=2, keepdims=True)) @ v

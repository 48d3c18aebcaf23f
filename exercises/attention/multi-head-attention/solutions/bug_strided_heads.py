import numpy as np


def multi_head_attention(x_q, x_kv, wq, wk, wv, wo, num_heads):
    B, T, E = x_q.shape
    S = x_kv.shape[1]
    d = E // num_heads
    # bug: (d, num_heads) puts columns h, h + H, h + 2H, ... in head h
    q = (x_q @ wq).reshape(B, T, d, num_heads).transpose(0, 3, 1, 2)
    k = (x_kv @ wk).reshape(B, S, d, num_heads).transpose(0, 3, 1, 2)
    v = (x_kv @ wv).reshape(B, S, d, num_heads).transpose(0, 3, 1, 2)
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    o = (p @ v).transpose(0, 2, 3, 1).reshape(B, T, E)  # merged back the same (wrong) way
    return o @ wo

import math

import numpy as np


def causal_attention(q, k, v):
    # one pass over the keys with a running max and a running sum (the "online softmax" of
    # FlashAttention): the accumulator is rescaled whenever the max grows
    B, T, d = q.shape
    out = np.zeros((B, T, v.shape[2]))
    for b in range(B):
        for t in range(T):
            m = -math.inf
            total = 0.0
            acc = np.zeros(v.shape[2])
            for j in range(t + 1):
                s = float(q[b, t] @ k[b, j]) / math.sqrt(d)
                new_m = max(m, s)
                scale = math.exp(m - new_m)
                e = math.exp(s - new_m)
                total = total * scale + e
                acc = acc * scale + e * v[b, j]
                m = new_m
            out[b, t] = acc / total
    return out

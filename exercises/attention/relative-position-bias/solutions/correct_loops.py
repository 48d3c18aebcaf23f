import math

import numpy as np


def attention_with_relative_bias(q, k, v, bias_table, max_distance):
    B, H, T, d = q.shape
    out = np.zeros((B, H, T, v.shape[-1]))
    for b in range(B):
        for h in range(H):
            for i in range(T):
                s = []
                for j in range(T):
                    r = max(-max_distance, min(max_distance, j - i))
                    s.append(float(q[b, h, i] @ k[b, h, j]) / math.sqrt(d)
                             + bias_table[h, r + max_distance])
                m = max(s)
                e = [math.exp(x - m) for x in s]
                z = sum(e)
                for j in range(T):
                    out[b, h, i] += e[j] / z * v[b, h, j]
    return out

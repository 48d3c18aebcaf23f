import math

import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    B, Tq, d = q.shape
    Tk, dv = v.shape[1], v.shape[2]
    if mask is not None:
        mask = np.broadcast_to(mask, (B, Tq, Tk))
    out = np.zeros((B, Tq, dv))
    for b in range(B):
        for i in range(Tq):
            allowed = [j for j in range(Tk) if mask is None or mask[b, i, j]]
            s = [float(q[b, i] @ k[b, j]) / math.sqrt(d) for j in allowed]
            m = max(s)
            e = [math.exp(x - m) for x in s]
            total = sum(e)
            for w, j in zip(e, allowed):
                out[b, i] += (w / total) * v[b, j]
    return out

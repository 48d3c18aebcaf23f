import numpy as np


def causal_attention(q, k, v):
    B, T, d = q.shape
    out = np.zeros((B, T, v.shape[2]))
    for b in range(B):
        for t in range(T):
            # only the prefix 0..t exists for query t
            s = k[b, : t + 1] @ q[b, t] / np.sqrt(d)
            w = np.exp(s - s.max())
            out[b, t] = (w / w.sum()) @ v[b, : t + 1]
    return out

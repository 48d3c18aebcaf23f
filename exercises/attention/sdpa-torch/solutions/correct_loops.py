import math

import torch


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    B, Tq, d = q.shape
    Tk, dv = v.shape[1], v.shape[2]
    if mask is not None:
        mask = mask.expand(B, Tq, Tk)
    out = torch.zeros(B, Tq, dv, dtype=torch.float64)
    for b in range(B):
        for i in range(Tq):
            s = (k[b] @ q[b, i]) / math.sqrt(d)  # (Tk,)
            if mask is not None:
                s = s[mask[b, i]]
                vals = v[b][mask[b, i]]
            else:
                vals = v[b]
            w = torch.exp(s - s.max())
            out[b, i] = (w / w.sum()) @ vals
    return out

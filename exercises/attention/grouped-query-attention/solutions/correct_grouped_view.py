import math

import torch


def grouped_query_attention(q, k, v):
    # No copies of k and v: view the H query heads as (G, H // G) and broadcast each group
    # against its own block of query heads.
    B, H, Tq, d = q.shape
    G = k.shape[1]
    qg = q.reshape(B, G, H // G, Tq, d)
    s = qg @ k.unsqueeze(2).transpose(-2, -1) / math.sqrt(d)  # (B, G, H//G, Tq, Tk)
    s = s - s.amax(dim=-1, keepdim=True)
    w = torch.exp(s)
    w = w / w.sum(dim=-1, keepdim=True)
    out = w @ v.unsqueeze(2)  # (B, G, H//G, Tq, dv)
    return out.reshape(B, H, Tq, v.shape[-1])

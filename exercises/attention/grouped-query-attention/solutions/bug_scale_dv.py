import math

import torch


def grouped_query_attention(q, k, v):
    r = q.shape[1] // k.shape[1]
    k = torch.repeat_interleave(k, r, dim=1)
    v = torch.repeat_interleave(v, r, dim=1)
    s = q @ k.transpose(-2, -1) / math.sqrt(v.shape[-1])  # bug: dv
    return torch.softmax(s, dim=-1) @ v

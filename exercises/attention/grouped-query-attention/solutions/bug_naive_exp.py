import math

import torch


def grouped_query_attention(q, k, v):
    r = q.shape[1] // k.shape[1]
    k = torch.repeat_interleave(k, r, dim=1)
    v = torch.repeat_interleave(v, r, dim=1)
    e = torch.exp(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]))
    return e / e.sum(dim=-1, keepdim=True) @ v

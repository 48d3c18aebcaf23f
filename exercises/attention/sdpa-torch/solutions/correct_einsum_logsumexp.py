import math

import torch


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    s = torch.einsum("bqd,bkd->bqk", q, k) * (1 / math.sqrt(k.shape[-1]))
    if mask is not None:
        s = s.masked_fill(mask.logical_not(), -1e300)  # exp(-1e300 - max) underflows to 0
    weights = torch.exp(s - torch.logsumexp(s, dim=-1, keepdim=True))
    return torch.einsum("bqk,bkv->bqv", weights, v)

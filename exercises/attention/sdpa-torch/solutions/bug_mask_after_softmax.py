import math

import torch


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    w = torch.softmax(scores, dim=-1)
    if mask is not None:
        w = w * mask  # bug: zeroed after the softmax, the rows no longer sum to 1
    return w @ v

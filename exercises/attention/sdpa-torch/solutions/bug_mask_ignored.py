import math

import torch


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v  # bug: the mask is never applied

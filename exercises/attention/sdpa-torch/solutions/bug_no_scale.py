import torch


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)  # bug: no / sqrt(d)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v

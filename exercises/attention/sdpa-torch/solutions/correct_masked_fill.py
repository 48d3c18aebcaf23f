import torch


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    scores = torch.matmul(q, k.transpose(1, 2)) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
    return torch.matmul(torch.softmax(scores, dim=-1), v)

import torch


def cross_entropy_dlogits(logits, y):
    N = logits.shape[0]
    p = torch.softmax(logits, dim=1)  # a new tensor: modifying it leaves logits alone
    p[torch.arange(N), y] -= 1.0
    return p / N

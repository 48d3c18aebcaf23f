import torch
import torch.nn.functional as F


def cross_entropy_dlogits(logits, y):
    e = torch.exp(logits)
    p = e / e.sum(dim=1, keepdim=True)
    return (p - F.one_hot(y, logits.shape[1])) / logits.shape[0]

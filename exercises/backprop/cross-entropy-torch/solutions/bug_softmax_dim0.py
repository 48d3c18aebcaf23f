import torch
import torch.nn.functional as F


def cross_entropy_dlogits(logits, y):
    return (torch.softmax(logits, dim=0) - F.one_hot(y, logits.shape[1])) / logits.shape[0]

import torch
import torch.nn.functional as F


def cross_entropy_dlogits(logits, y):
    grad = (torch.softmax(logits, dim=1) - F.one_hot(y, logits.shape[1])) / logits.shape[0]
    return grad.numpy()

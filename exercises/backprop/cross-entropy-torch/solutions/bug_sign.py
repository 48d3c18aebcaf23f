import torch
import torch.nn.functional as F


def cross_entropy_dlogits(logits, y):
    return (F.one_hot(y, logits.shape[1]) - torch.softmax(logits, dim=1)) / logits.shape[0]

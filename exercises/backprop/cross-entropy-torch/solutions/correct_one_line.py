import torch.nn.functional as F


def cross_entropy_dlogits(logits, y):
    return (F.softmax(logits, dim=-1) - F.one_hot(y, logits.shape[-1]).to(logits.dtype)) / len(y)

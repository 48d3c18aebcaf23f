import torch


def cross_entropy_dlogits(logits, y):
    """Gradient of the mean softmax cross-entropy with respect to the logits, without autograd.

    logits: torch.Tensor (N, C), float64.
    y:      torch.Tensor (N,), int64 class labels in [0, C).

    Returns dlogits: a float64 torch.Tensor of shape (N, C).
    """
    return torch.zeros_like(logits)

"""Reference for cross-entropy-torch: d(mean cross-entropy)/d(logits) with torch tensors."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def cross_entropy_dlogits(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient of loss = mean_n -log softmax(logits)[n, y[n]] with respect to logits.

    logits (N, C) float64, y (N,) int64 -> dlogits (N, C) float64 = (softmax - one_hot(y)) / N.
    """
    N, C = logits.shape
    # torch.softmax subtracts each row's maximum internally, so logits of +-1000 stay finite.
    # The one-hot matrix is int64; subtracting it from a float64 tensor keeps float64.
    # The 1/N comes from the mean over the batch.
    return (torch.softmax(logits, dim=1) - F.one_hot(y, C)) / N

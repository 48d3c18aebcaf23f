"""Reference for gradient-clipping: torch.nn.utils.clip_grad_norm_ (the 2-norm) on four arrays."""

from __future__ import annotations

import numpy as np


def clip_grad_norm(
    dw1: np.ndarray, db1: np.ndarray, dw2: np.ndarray, db2: np.ndarray, max_norm: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Scale all the gradients by min(1, max_norm / (total_norm + 1e-6)), where total_norm is
    the 2-norm of all their entries together. Returns the four gradients and total_norm (before
    clipping)."""
    grads = (dw1, db1, dw2, db2)
    # The norm of the per-tensor norms is the norm of everything concatenated.
    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    # The 1e-6 keeps an all-zero gradient from dividing by 0 (torch does the same); the min
    # means gradients whose norm is already small are left alone.
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    # One factor for every tensor: the direction of the whole update is kept.
    return (*(g * scale for g in grads), total_norm)

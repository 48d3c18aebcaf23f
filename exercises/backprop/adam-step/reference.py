"""Reference for adam-step: one update of torch.optim.Adam (no weight decay, no amsgrad)."""

from __future__ import annotations

import numpy as np


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam update. t is the number of this update (1 for the first, when m = v = 0).

    Returns the new (param, m, v); m and v are the raw moving averages (not bias-corrected).
    """
    # The moments first: this update uses the moving averages that include the new gradient.
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    # m and v start at 0, so after t updates they are too small by a factor 1 - beta**t.
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    # eps outside the root and after the correction, as torch.optim.Adam.
    param = param - lr * m_hat / (np.sqrt(v_hat) + eps)
    return param, m, v

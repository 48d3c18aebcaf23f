from __future__ import annotations

import numpy as np


def scaled_dot_product_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """softmax(q kᵀ / sqrt(d)) v, the softmax over the key axis.

    q (B, Tq, d), k (B, Tk, d), v (B, Tk, dv); mask is None or bool broadcastable to (B, Tq, Tk),
    True = the query may attend to that key. Precondition: every query keeps at least one key.
    Returns (B, Tq, dv).
    """
    d = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d)  # (B, Tq, Tk)
    if mask is not None:
        # -inf, not a large finite number: blocked keys then get exactly zero weight whatever the
        # size of the scores. Broadcasting handles all the allowed mask shapes at once.
        scores = np.where(mask, scores, -np.inf)
    # Subtracting each row's maximum leaves the softmax unchanged and keeps exp() <= 1, so large
    # scores cannot overflow. The maximum is finite because each row keeps an allowed key.
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v  # (B, Tq, dv)

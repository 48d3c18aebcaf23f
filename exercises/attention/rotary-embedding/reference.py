"""Reference for rotary-embedding: RoPE on adjacent pairs (2i, 2i+1), as in the RoFormer paper."""

from __future__ import annotations

import numpy as np


def _rotate(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Rotate each pair (x[..., 2i], x[..., 2i+1]) counterclockwise by the angle of (t, i)."""
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, d/2) each: the two halves of every pair
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def rotary_embedding(
    q: np.ndarray, k: np.ndarray, positions: np.ndarray, base: float
) -> tuple[np.ndarray, np.ndarray]:
    """q (B, Hq, T, d), k (B, Hk, T, d), d even; positions (T,) int64; base > 0.

    Pair i = dimensions (2i, 2i+1) of the token at position p turns by p * base**(-2i/d).
    Returns (q_rot, k_rot), float64, the shapes of q and k.
    """
    d = q.shape[-1]
    theta = base ** (-np.arange(0, d, 2) / d)  # (d/2,): exponent 2i/d for pair i
    angle = positions.astype(np.float64)[:, None] * theta[None, :]  # (T, d/2)
    # (T, d/2) broadcasts over the batch and head axes of both q and k: the angle depends only
    # on the position and the pair, which is why q·k ends up depending on positions only
    # through their difference.
    cos, sin = np.cos(angle), np.sin(angle)
    return _rotate(q, cos, sin), _rotate(k, cos, sin)

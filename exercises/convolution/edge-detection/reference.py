"""Reference for edge-detection: Sobel gradients and their magnitude (valid cross-correlation)."""

from __future__ import annotations

import numpy as np

# Responds to intensity increasing to the right (along x, the column index): vertical edges.
SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
# Its transpose responds to intensity increasing downwards (along y, the row index).
SOBEL_Y = SOBEL_X.T


def _correlate_valid(img: np.ndarray, k: np.ndarray) -> np.ndarray:
    """out[i, j] = sum_{a, b} k[a, b] * img[i + a, j + b], for every window inside the image."""
    H, W = img.shape
    Ho, Wo = H - 2, W - 2
    out = np.zeros((Ho, Wo))
    # One shifted slice per kernel entry: 9 array operations instead of a loop per pixel.
    for a in range(3):
        for b in range(3):
            if k[a, b] != 0.0:
                out += k[a, b] * img[a : a + Ho, b : b + Wo]
    return out


def sobel_edges(img: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """img (H, W) -> (gx, gy, magnitude), each (H - 2, W - 2)."""
    gx = _correlate_valid(img, SOBEL_X)
    gy = _correlate_valid(img, SOBEL_Y)
    # The Euclidean length of the gradient vector (gx, gy); hypot avoids overflow in the squares.
    return gx, gy, np.hypot(gx, gy)

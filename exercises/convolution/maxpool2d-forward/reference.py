"""Reference for maxpool2d-forward: max over (possibly overlapping) pool_h x pool_w windows."""

from __future__ import annotations

import numpy as np


def maxpool2d_forward(x: np.ndarray, pool_h: int, pool_w: int, stride: int) -> np.ndarray:
    """out[n, c, i, j] = max of x[n, c, i*stride : i*stride + pool_h, j*stride : j*stride + pool_w].

    x (N, C, H, W); returns (N, C, (H - pool_h) // stride + 1, (W - pool_w) // stride + 1).
    No padding: every window lies inside the image.
    """
    N, C, H, W = x.shape
    H_out = (H - pool_h) // stride + 1
    W_out = (W - pool_w) // stride + 1
    out = np.empty((N, C, H_out, W_out), dtype=np.float64)
    for i in range(H_out):
        r = i * stride
        for j in range(W_out):
            s = j * stride
            # All samples and channels at once; pool_h runs along H (rows), pool_w along W.
            out[:, :, i, j] = x[:, :, r : r + pool_h, s : s + pool_w].max(axis=(2, 3))
    return out

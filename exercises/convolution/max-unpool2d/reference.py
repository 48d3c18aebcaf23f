"""Reference for max-unpool2d: torch.nn.functional.max_unpool2d with output_size=(H, W)."""

from __future__ import annotations

import numpy as np


def max_unpool2d(
    y: np.ndarray, indices: np.ndarray, pool_h: int, pool_w: int, stride: int, H: int, W: int
) -> np.ndarray:
    """out (N, C, H, W), zero except out[n, c].flat[indices[n, c, i, j]] = y[n, c, i, j].

    y and indices (N, C, H', W'); indices are flat positions r*W + t inside each (n, c) plane of
    the pooled input (PyTorch's convention). The pooling parameters do not change where anything
    goes; (H, W) is the size of the pooled input.
    """
    N, C = y.shape[:2]
    # One row per (n, c) plane, flattened row-major: position (r, t) is column r*W + t, exactly
    # the index PyTorch's max_pool2d returns. The index is relative to its own plane, so each row
    # of `flat` is addressed with the indices of the same (n, c).
    flat = np.zeros((N * C, H * W))
    planes = np.arange(N * C)[:, None]
    # Assignment, not accumulation: when overlapping windows share a maximum, its index appears
    # twice with the same value, and placing it twice leaves that value.
    flat[planes, indices.reshape(N * C, -1)] = y.reshape(N * C, -1)
    return flat.reshape(N, C, H, W)

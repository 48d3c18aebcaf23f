"""Reference for maxpool2d-backward: route each window's gradient to its first maximum."""

from __future__ import annotations

import numpy as np


def maxpool2d_backward(
    x: np.ndarray, pool_h: int, pool_w: int, stride: int, dout: np.ndarray
) -> np.ndarray:
    """Gradient of maxpool2d_forward(x, pool_h, pool_w, stride) given dout (N, C, H', W').

    Each output is the max of its window, so its gradient goes to the element that was picked.
    With tied maxima the pick is the first maximum in row-major order (the convention of this
    exercise). Windows overlap when stride < pool size: an element that is the maximum of
    several windows receives the sum of their gradients. Returns dx (N, C, H, W).
    """
    N, C, H, W = x.shape
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x, dtype=np.float64)
    n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")  # (N, C) each

    for i in range(H_out):
        r = i * stride
        for j in range(W_out):
            s = j * stride
            window = x[:, :, r : r + pool_h, s : s + pool_w].reshape(N, C, pool_h * pool_w)
            # reshape flattens each window row by row, and argmax returns the first occurrence
            # of the maximum: together, the first maximum in row-major order.
            k = window.argmax(axis=2)  # (N, C)
            a, b = np.divmod(k, pool_w)  # row and column inside the window
            # One element per (n, c) here, so plain fancy-index += would do; np.add.at makes the
            # accumulation explicit and stays right even if indices repeated.
            np.add.at(dx, (n_idx, c_idx, r + a, s + b), dout[:, :, i, j])
    return dx

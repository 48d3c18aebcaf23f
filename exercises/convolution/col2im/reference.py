"""Reference for col2im: the adjoint of conv2d-im2col's im2col (overlapping windows summed)."""

from __future__ import annotations

import numpy as np


def col2im(
    cols: np.ndarray, H: int, W: int, HH: int, WW: int, stride: int, pad: int
) -> np.ndarray:
    """x[n, c] = crop(sum over windows (i, j) of the window cols[n, (c, :, :), (i, j)] placed at
    rows i*stride ..., columns j*stride ... of the padded image).

    cols (N, C*HH*WW, H'*W'): row (c, kh, kw) in C order, column (i, j) in row-major order, as
    built by conv2d-im2col. Returns x (N, C, H, W), float64: the padding is cropped off.
    """
    N, K, P = cols.shape
    C = K // (HH * WW)
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    # Undo the two flattenings: the rows (c, kh, kw) and the columns (i, j), both in C order.
    blocks = cols.reshape(N, C, HH, WW, H_out, W_out)

    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    # For a fixed kernel entry (kh, kw), the windows read the pixels kh + i*stride, kw + j*stride:
    # a strided slice of xp, one pixel per window, none twice. So one slice += per entry is
    # correct, and the += across entries is what sums the overlapping windows.
    for kh in range(HH):
        rows = slice(kh, kh + stride * (H_out - 1) + 1, stride)
        for kw in range(WW):
            cols_ = slice(kw, kw + stride * (W_out - 1) + 1, stride)
            xp[:, :, rows, cols_] += blocks[:, :, kh, kw]
    # The padding zeros were constants, not inputs: what lands on them is dropped.
    return xp[:, :, pad : pad + H, pad : pad + W].copy()

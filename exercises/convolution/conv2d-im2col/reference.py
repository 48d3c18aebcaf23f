"""Reference for conv2d-im2col: a vectorised 2D cross-correlation (im2col + one matrix product)."""

from __future__ import annotations

import numpy as np


def conv2d_im2col(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """out[n, f, i, j] = b[f] + sum_{c, kh, kw} w[f, c, kh, kw] * xp[n, c, i*stride + kh, j*stride + kw]

    x (N, C, H, W), w (F, C, HH, WW), b (F,); xp is x with `pad` zeros on the four spatial sides.
    Returns out (N, F, H', W') with H' = (H + 2*pad - HH) // stride + 1 (W' likewise).
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))

    # Row k of the im2col matrix is the kernel entry (c, kh, kw) in C order, i.e. exactly the order
    # of w.reshape(F, -1); column p is the output position (i, j) in row-major order.
    c = np.repeat(np.arange(C), HH * WW)  # (K,), K = C*HH*WW
    kh = np.tile(np.repeat(np.arange(HH), WW), C)
    kw = np.tile(np.arange(WW), C * HH)
    i = np.repeat(np.arange(H_out), W_out)  # (P,), P = H_out*W_out
    j = np.tile(np.arange(W_out), H_out)
    rows = kh[:, None] + stride * i[None, :]  # (K, P): the input row each product reads
    cols_ = kw[:, None] + stride * j[None, :]
    # One gather builds every window of every image at once: (N, K, P).
    cols = xp[:, c[:, None], rows, cols_]

    # One matrix product does every filter at every position of every image: (F, K) @ (N, K, P).
    out = w.reshape(F, -1) @ cols + b[:, None]  # (N, F, P)
    return out.reshape(N, F, H_out, W_out)

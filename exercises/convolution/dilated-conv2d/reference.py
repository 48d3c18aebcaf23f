"""Reference for dilated-conv2d: a strided, zero-padded, dilated 2D cross-correlation."""

from __future__ import annotations

import numpy as np


def dilated_conv2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int, dilation: int
) -> np.ndarray:
    """out[n, f, i, j] = b[f] + sum_{c, kh, kw} w[f, c, kh, kw] * xp[n, c, i*s + kh*d, j*s + kw*d]

    x (N, C, H, W), w (F, C, HH, WW), b (F,); xp is x with `pad` zeros on the four spatial sides,
    s the stride and d the dilation (d = 1: the ordinary convolution). Returns (N, F, H', W') with
    H' = (H + 2*pad - d*(HH - 1) - 1) // s + 1 (W' likewise), as torch.nn.functional.conv2d.
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    # The dilated kernel spans d*(k - 1) + 1 pixels: k taps with d - 1 skipped pixels between
    # neighbours. Its first tap starts at i*s, its last must stay inside the padded image.
    span_h = dilation * (HH - 1) + 1
    span_w = dilation * (WW - 1) + 1
    H_out = (H + 2 * pad - span_h) // stride + 1
    W_out = (W + 2 * pad - span_w) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))

    out = np.zeros((N, H_out, W_out, F))
    # One iteration per kernel tap (kh, kw): the pixels that tap reads for every output position
    # form a strided slice of xp, starting at the tap's offset (kh*d, kw*d) and stepping by the
    # stride. Each slice meets one (C, F) matrix of weights, for all images and positions at once.
    for kh in range(HH):
        r0 = kh * dilation
        for kw in range(WW):
            c0 = kw * dilation
            rows = slice(r0, r0 + stride * (H_out - 1) + 1, stride)
            cols = slice(c0, c0 + stride * (W_out - 1) + 1, stride)
            taps = xp[:, :, rows, cols]  # (N, C, H', W')
            out += taps.transpose(0, 2, 3, 1) @ w[:, :, kh, kw].T  # (N, H', W', C) @ (C, F)
    return (out + b).transpose(0, 3, 1, 2)

"""Reference for conv2d-forward: a 2D cross-correlation with stride and zero padding."""

from __future__ import annotations

import numpy as np


def conv2d_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int
) -> np.ndarray:
    """out[n, f, i, j] = b[f] + sum_{c, kh, kw} w[f, c, kh, kw] * xp[n, c, i*stride + kh, j*stride + kw]

    x (N, C, H, W), w (F, C, HH, WW), b (F,); xp is x with `pad` zeros on the four spatial sides.
    Returns out (N, F, H', W') with H' = (H + 2*pad - HH) // stride + 1 (W' likewise).
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1

    # Pad only the two spatial axes: padding the batch or channel axes would add fake samples.
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))

    out = np.empty((N, F, H_out, W_out), dtype=np.float64)
    for i in range(H_out):
        r = i * stride
        for j in range(W_out):
            s = j * stride
            window = xp[:, :, r : r + HH, s : s + WW]  # (N, C, HH, WW)
            # Contract channels and both kernel axes at once: (N, C, HH, WW) x (F, C, HH, WW) -> (N, F).
            # No flip: kernel index (kh, kw) meets input offset (kh, kw), as in PyTorch.
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    # The bias is per filter: broadcast it over the batch and the two spatial axes.
    out += b[None, :, None, None]
    return out

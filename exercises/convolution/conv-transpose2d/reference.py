"""Reference for conv-transpose2d: torch.nn.functional.conv_transpose2d without padding."""

from __future__ import annotations

import numpy as np


def conv_transpose2d(x: np.ndarray, w: np.ndarray, stride: int) -> np.ndarray:
    """out[n, co, i*stride + kh, j*stride + kw] += sum_ci x[n, ci, i, j] * w[ci, co, kh, kw]

    x (N, CI, H, W), w (CI, CO, K, K). Returns out (N, CO, (H - 1)*stride + K, (W - 1)*stride + K).
    This is the gradient of conv2d_forward (no padding, same stride) with respect to its input,
    which is why the weight is laid out (in, out, K, K): the same tensor as the conv's (F, C, ...).
    """
    N, _, H, W = x.shape
    _, CO, KH, KW = w.shape
    H_out = (H - 1) * stride + KH
    W_out = (W - 1) * stride + KW
    out = np.zeros((N, CO, H_out, W_out), dtype=np.float64)
    for i in range(H):
        r = i * stride
        for j in range(W):
            s = j * stride
            # Each input pixel paints a K x K footprint of every output channel: mix the input
            # channels, (N, CI) x (CI, CO, K, K) -> (N, CO, K, K), no flip.
            footprint = np.tensordot(x[:, :, i, j], w, axes=([1], [0]))
            # Footprints of neighbouring pixels overlap when stride < K: they add up.
            out[:, :, r : r + KH, s : s + KW] += footprint
    return out

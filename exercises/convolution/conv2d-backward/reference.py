"""Reference for conv2d-backward: gradients of a strided, zero-padded 2D cross-correlation."""

from __future__ import annotations

import numpy as np


def conv2d_backward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int, dout: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of out = conv2d_forward(x, w, b, stride, pad) given dout = dL/dout.

    x (N, C, H, W), w (F, C, HH, WW), b (F,), dout (N, F, H', W').
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape

    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    # Gradients are first accumulated with respect to the padded input: every window lies
    # inside it, so no bounds checks are needed; the padding is cropped off at the end.
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)

    # b[f] is added to every output of filter f, in every sample: its gradient sums dout over
    # the batch and both spatial axes.
    db = dout.sum(axis=(0, 2, 3))

    for i in range(H_out):
        r = i * stride
        for j in range(W_out):
            s = j * stride
            window = xp[:, :, r : r + HH, s : s + WW]  # (N, C, HH, WW), what the forward read
            g = dout[:, :, i, j]  # (N, F), the gradient of the outputs at this position
            # out[n, f, i, j] = sum window[n] * w[f] + b[f], so each output position adds
            # g[n, f] * window[n] to dw[f] (summed over the batch) ...
            dw += np.tensordot(g, window, axes=([0], [0]))  # (F, C, HH, WW)
            # ... and g[n, f] * w[f] to the pixels it read. Windows overlap when
            # stride < kernel size, hence += rather than assignment.
            dxp[:, :, r : r + HH, s : s + WW] += np.tensordot(
                g, w, axes=([1], [0])
            )  # (N, C, HH, WW)

    # dx has x's shape: drop the gradient of the padding zeros (they are constants, not inputs).
    dx = dxp[:, :, pad : pad + H, pad : pad + W].copy()
    return dx, dw, db

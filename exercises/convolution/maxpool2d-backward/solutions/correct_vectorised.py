# Correct: every window at once through a strided view, argmax over the flattened window, then
# np.add.at so that maxima shared by overlapping windows accumulate.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def maxpool2d_backward(x, pool_h, pool_w, stride, dout):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2:]
    win = sliding_window_view(x, (pool_h, pool_w), axis=(2, 3))[:, :, ::stride, ::stride]
    win = win[:, :, :Ho, :Wo].reshape(N, C, Ho, Wo, pool_h * pool_w)
    k = win.argmax(axis=-1)
    rows = np.arange(Ho)[None, None, :, None] * stride + k // pool_w
    cols = np.arange(Wo)[None, None, None, :] * stride + k % pool_w
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, :, None, None]
    dx = np.zeros_like(x)
    np.add.at(dx, (n, c, rows, cols), dout)
    return dx

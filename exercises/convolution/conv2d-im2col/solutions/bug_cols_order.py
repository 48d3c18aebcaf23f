# Bug: the im2col rows are ordered (kh, kw, c), but w.reshape(F, -1) is ordered (c, kh, kw).
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_im2col(x, w, b, stride, pad):
    N = x.shape[0]
    F, C, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    Ho, Wo = win.shape[2:4]
    # (N, C, Ho, Wo, HH, WW) -> (N, Ho*Wo, HH*WW*C): the kernel axes end up before the channels.
    cols = win.transpose(0, 2, 3, 4, 5, 1).reshape(N, Ho * Wo, HH * WW * C)
    out = cols @ w.reshape(F, -1).T + b  # (N, Ho*Wo, F)
    return out.transpose(0, 2, 1).reshape(N, F, Ho, Wo)

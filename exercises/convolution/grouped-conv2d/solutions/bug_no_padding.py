# Bug: the input is never padded, so the output is that of pad = 0.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def grouped_conv2d(x, w, b, stride, pad, groups):
    N = x.shape[0]
    F, Cg, HH, WW = w.shape
    win = sliding_window_view(x, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    Ho, Wo = win.shape[2:4]
    win = win.reshape(N, groups, Cg, Ho, Wo, HH, WW)
    out = np.einsum("ngchwij,gfcij->ngfhw", win, w.reshape(groups, F // groups, Cg, HH, WW))
    return out.reshape(N, F, Ho, Wo) + b[None, :, None, None]

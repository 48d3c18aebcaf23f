# Bug: the input is never padded, so the output is that of pad = 0.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_im2col(x, w, b, stride, pad):
    HH, WW = w.shape[2:]
    win = sliding_window_view(x, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("nchwij,fcij->nfhw", win, w)
    return out + b[None, :, None, None]

# Bug: a true convolution (the kernel flipped by 180 degrees), not a cross-correlation.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_im2col(x, w, b, stride, pad):
    HH, WW = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("nchwij,fcij->nfhw", win, w[:, :, ::-1, ::-1])
    return out + b[None, :, None, None]

# Bug: `dilation` zeros inserted between the taps, so the taps are dilation + 1 apart.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def dilated_conv2d(x, w, b, stride, pad, dilation):
    F, C, HH, WW = w.shape
    step = dilation + 1  # "dilation = size of the holes"
    big = np.zeros((F, C, step * (HH - 1) + 1, step * (WW - 1) + 1))
    big[:, :, ::step, ::step] = w
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(xp, big.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("nchwij,fcij->nfhw", windows, big)
    return out + b[None, :, None, None]

# Correct: a strided view of all windows (no copy), contracted with the filters by einsum.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_im2col(x, w, b, stride, pad):
    HH, WW = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(xp, (HH, WW), axis=(2, 3))  # (N, C, H1, W1, HH, WW)
    windows = windows[:, :, ::stride, ::stride]
    out = np.einsum("nchwij,fcij->nfhw", windows, w, optimize=True)
    return out + b[None, :, None, None]

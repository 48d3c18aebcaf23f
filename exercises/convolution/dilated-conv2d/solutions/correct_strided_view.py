# Correct: every window of the dilated kernel's span, then keep only the taps (every
# dilation-th row and column of each window) and contract with the filters.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def dilated_conv2d(x, w, b, stride, pad, dilation):
    HH, WW = w.shape[2:]
    span = (dilation * (HH - 1) + 1, dilation * (WW - 1) + 1)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    win = sliding_window_view(xp, span, axis=(2, 3))  # (N, C, H1, W1, span_h, span_w)
    taps = win[:, :, ::stride, ::stride, ::dilation, ::dilation]  # (N, C, H', W', HH, WW)
    out = np.tensordot(taps, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', F)
    return np.moveaxis(out + b, -1, 1)

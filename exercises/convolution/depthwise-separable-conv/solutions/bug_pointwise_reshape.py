# Bug: the pointwise weights (F, C*M, 1, 1) are reshaped to (C*M, F) instead of transposed.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def depthwise_separable_conv(x, w_dw, b_dw, w_pw, b_pw, stride, pad):
    C = x.shape[1]
    CM, _, HH, WW = w_dw.shape
    F = w_pw.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    xr = np.repeat(xp, CM // C, axis=1)
    win = sliding_window_view(xr, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    mid = np.einsum("nkhwij,kij->nkhw", win, w_dw[:, 0]) + b_dw[None, :, None, None]
    out = mid.transpose(0, 2, 3, 1) @ w_pw.reshape(CM, F) + b_pw  # (N, Ho, Wo, F)
    return out.transpose(0, 3, 1, 2)

# Correct: the two stages compose into ONE ordinary convolution whose kernel is
# K[f, c] = sum_m w_pw[f, c*M + m] * w_dw[c*M + m] and whose bias is b_pw + w_pw @ b_dw.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def depthwise_separable_conv(x, w_dw, b_dw, w_pw, b_pw, stride, pad):
    C = x.shape[1]
    CM, _, HH, WW = w_dw.shape
    F = w_pw.shape[0]
    M = CM // C
    P = w_pw[:, :, 0, 0]  # (F, C*M)
    K = np.einsum("fcm,cmij->fcij", P.reshape(F, C, M), w_dw[:, 0].reshape(C, M, HH, WW))
    bias = b_pw + P @ b_dw
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("nchwij,fcij->nfhw", win, K) + bias[:, None, None]

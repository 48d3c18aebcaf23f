# Bug: the pointwise 1x1 convolution is padded too (same `pad` as the depthwise stage).
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _conv(x, w, b, stride, pad, groups):
    N, C = x.shape[:2]
    F, Cg, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    Ho, Wo = win.shape[2:4]
    win = win.reshape(N, groups, Cg, Ho, Wo, HH, WW)
    out = np.einsum("ngchwij,gfcij->ngfhw", win, w.reshape(groups, F // groups, Cg, HH, WW))
    return out.reshape(N, F, Ho, Wo) + b[None, :, None, None]


def depthwise_separable_conv(x, w_dw, b_dw, w_pw, b_pw, stride, pad):
    mid = _conv(x, w_dw, b_dw, stride, pad, groups=x.shape[1])
    return _conv(mid, w_pw, b_pw, 1, pad, groups=1)

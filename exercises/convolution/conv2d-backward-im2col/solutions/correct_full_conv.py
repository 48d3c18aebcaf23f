# Correct, by the other formula: dw is a correlation of the input with dout (via a strided view);
# dx is the "full" convolution of the stride-dilated dout with the kernel flipped by 180 degrees
# and its channel axes swapped, then cropped to x's place in the padded input.
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_backward_im2col(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    Hp, Wp = H + 2 * pad, W + 2 * pad
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))

    win = sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride][:, :, :Ho, :Wo]
    dw = np.einsum("nchwij,nfhw->fcij", win, dout)
    db = dout.sum(axis=(0, 2, 3))

    # Put dout[i, j] at (i*stride, j*stride) of a (Hp - HH + 1, Wp - WW + 1) grid of zeros (the
    # positions of a stride-1 convolution), pad by the kernel size - 1, and correlate with the
    # flipped kernel: dxp[a, t] = sum g[a - kh, t - kw] * w[kh, kw].
    g = np.zeros((N, F, Hp - HH + 1, Wp - WW + 1))
    g[:, :, : stride * Ho : stride, : stride * Wo : stride] = dout
    g = np.pad(g, ((0, 0), (0, 0), (HH - 1, HH - 1), (WW - 1, WW - 1)))
    gwin = sliding_window_view(g, (HH, WW), axis=(2, 3))  # (N, F, Hp, Wp, HH, WW)
    dxp = np.einsum("nfhwij,fcij->nchw", gwin, w[:, :, ::-1, ::-1])
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

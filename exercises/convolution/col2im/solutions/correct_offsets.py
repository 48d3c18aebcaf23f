# Correct: one strided slice += per kernel entry (kh, kw), for all windows at once.
import numpy as np


def col2im(cols, H, W, HH, WW, stride, pad):
    N = cols.shape[0]
    C = cols.shape[1] // (HH * WW)
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    c6 = cols.reshape(N, C, HH, WW, Ho, Wo)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for kh in range(HH):
        for kw in range(WW):
            xp[:, :, kh : kh + stride * Ho : stride, kw : kw + stride * Wo : stride] += c6[:, :, kh, kw]
    return xp[:, :, pad : pad + H, pad : pad + W]

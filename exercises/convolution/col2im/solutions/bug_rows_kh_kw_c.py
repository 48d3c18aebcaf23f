# Bug: the rows of cols are read in the order (kh, kw, c) instead of (c, kh, kw).
import numpy as np


def col2im(cols, H, W, HH, WW, stride, pad):
    N, K, L = cols.shape
    C = K // (HH * WW)
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    c6 = cols.reshape(N, HH, WW, C, Ho, Wo)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for kh in range(HH):
        for kw in range(WW):
            xp[:, :, kh : kh + stride * Ho : stride, kw : kw + stride * Wo : stride] += c6[:, kh, kw]
    return xp[:, :, pad : pad + H, pad : pad + W]

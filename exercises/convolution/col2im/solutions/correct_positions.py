# Correct: one iteration per window (i, j): its column, reshaped to (C, HH, WW), is added onto
# the part of the padded image it was read from.
import numpy as np


def col2im(cols, H, W, HH, WW, stride, pad):
    N, K, L = cols.shape
    C = K // (HH * WW)
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for p in range(L):
        i, j = divmod(p, Wo)
        r, s = i * stride, j * stride
        xp[:, :, r : r + HH, s : s + WW] += cols[:, :, p].reshape(N, C, HH, WW)
    if pad:
        xp = xp[:, :, pad:-pad, pad:-pad]
    return xp

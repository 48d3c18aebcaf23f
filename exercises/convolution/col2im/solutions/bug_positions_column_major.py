# Bug: column p of cols is read as window (p % H', p // H') (column-major) instead of
# (p // W', p % W').
import numpy as np


def col2im(cols, H, W, HH, WW, stride, pad):
    N, K, L = cols.shape
    C = K // (HH * WW)
    Ho = (H + 2 * pad - HH) // stride + 1
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for p in range(L):
        j, i = divmod(p, Ho)
        r, s = i * stride, j * stride
        xp[:, :, r : r + HH, s : s + WW] += cols[:, :, p].reshape(N, C, HH, WW)
    return xp[:, :, pad : pad + H, pad : pad + W]

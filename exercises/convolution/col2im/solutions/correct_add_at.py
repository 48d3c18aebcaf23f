# Correct: the same index arrays as an im2col gather, used to scatter with np.add.at (which,
# unlike xp[idx] += v, adds every repeated index).
import numpy as np


def col2im(cols, H, W, HH, WW, stride, pad):
    N, K, L = cols.shape
    C = K // (HH * WW)
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    c, kh, kw = np.unravel_index(np.arange(K), (C, HH, WW))
    i, j = np.unravel_index(np.arange(L), (Ho, Wo))
    rows = kh[:, None] + stride * i[None, :]
    cc = kw[:, None] + stride * j[None, :]
    chan = np.broadcast_to(c[:, None], rows.shape)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for n in range(N):
        np.add.at(xp[n], (chan, rows, cc), cols[n])
    return xp[:, :, pad : pad + H, pad : pad + W]

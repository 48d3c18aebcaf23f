# Bug: filter f is given to group f % groups (round-robin) instead of f // (F / groups).
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def grouped_conv2d(x, w, b, stride, pad, groups):
    F, Cg, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    N, _, Ho, Wo = win.shape[:4]
    out = np.empty((N, F, Ho, Wo))
    for f in range(F):
        g = f % groups
        chans = win[:, g * Cg : (g + 1) * Cg]
        out[:, f] = np.einsum("nchwij,cij->nhw", chans, w[f]) + b[f]
    return out

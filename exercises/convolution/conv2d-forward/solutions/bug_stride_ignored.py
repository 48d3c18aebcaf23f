# Bug: the stride is used for the output size but not to place the windows: window (i, j)
# starts at (i, j). Correct only when stride = 1.
import numpy as np


def conv2d_forward(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i : i + HH, j : j + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out

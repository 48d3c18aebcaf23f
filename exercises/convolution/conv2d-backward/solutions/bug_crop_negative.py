# Bug: the padding is cropped with pad:-pad, which is an empty slice when pad = 0 (-0 is 0).
import numpy as np


def conv2d_backward(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = i * stride, j * stride
                    dw[f] += dout[n, f, i, j] * xp[n, :, r : r + HH, s : s + WW]
                    dxp[n, :, r : r + HH, s : s + WW] += dout[n, f, i, j] * w[f]
    return dxp[:, :, pad:-pad, pad:-pad], dw, db

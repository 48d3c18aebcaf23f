# Bug: dw is recomputed for each sample (assignment instead of accumulation over the batch),
# so only the last sample's contribution survives.
import numpy as np


def conv2d_backward(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    db = dout.sum(axis=(0, 2, 3))
    for n in range(N):
        dw = np.zeros_like(w)
        for i in range(Ho):
            for j in range(Wo):
                r, s = i * stride, j * stride
                g = dout[n, :, i, j]
                dw += g[:, None, None, None] * xp[n, :, r : r + HH, s : s + WW]
                dxp[n, :, r : r + HH, s : s + WW] += np.tensordot(g, w, axes=1)
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

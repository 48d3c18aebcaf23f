# Too slow: right values, but one Python iteration per output element (N * F * H' * W'
# iterations: about 123 000 for each large case).
import numpy as np


def conv2d_backward_im2col(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = i * stride, j * stride
                    g = dout[n, f, i, j]
                    dw[f] += g * xp[n, :, r : r + HH, s : s + WW]
                    dxp[n, :, r : r + HH, s : s + WW] += g * w[f]
    db = dout.sum(axis=(0, 2, 3))
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

# Bug: db averaged over the batch (as if the loss were a mean the layer must undo); the
# layer's gradient is a plain sum.
import numpy as np


def conv2d_backward(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(2, 3)).mean(axis=0)
    for i in range(Ho):
        for j in range(Wo):
            r, s = i * stride, j * stride
            g = dout[:, :, i, j]
            dw += np.einsum("nf,nchw->fchw", g, xp[:, :, r : r + HH, s : s + WW])
            dxp[:, :, r : r + HH, s : s + WW] += np.einsum("nf,fchw->nchw", g, w)
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

# Bug: "the gradient of a convolution is a convolution with the flipped kernel" applied to the
# scatter form, which already uses the kernel the right way round: dx gets the flipped kernel.
import numpy as np


def conv2d_backward(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    w_flipped = w[:, :, ::-1, ::-1]
    for i in range(Ho):
        for j in range(Wo):
            r, s = i * stride, j * stride
            g = dout[:, :, i, j]
            dw += np.einsum("nf,nchw->fchw", g, xp[:, :, r : r + HH, s : s + WW])
            dxp[:, :, r : r + HH, s : s + WW] += np.einsum("nf,fchw->nchw", g, w_flipped)
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

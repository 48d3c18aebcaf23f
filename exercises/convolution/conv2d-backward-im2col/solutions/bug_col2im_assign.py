# Bug: col2im writes each window's gradient with = instead of +=, so where windows overlap only
# the last window's contribution survives.
import numpy as np


def conv2d_backward_im2col(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cc, kh, kw = np.meshgrid(np.arange(C), np.arange(HH), np.arange(WW), indexing="ij")
    ii, jj = np.meshgrid(np.arange(Ho), np.arange(Wo), indexing="ij")
    ch = cc.reshape(-1, 1)
    r = kh.reshape(-1, 1) + stride * ii.reshape(1, -1)
    s = kw.reshape(-1, 1) + stride * jj.reshape(1, -1)
    cols = xp[:, ch, r, s]
    g = dout.reshape(N, F, -1)
    db = g.sum(axis=(0, 2))
    dw = np.einsum("nfp,nkp->fk", g, cols).reshape(w.shape)
    dcols = w.reshape(F, -1).T @ g
    dxp = np.zeros_like(xp)
    dxp[:, ch, r, s] = dcols  # fancy-index assignment: repeated pixels keep one value
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

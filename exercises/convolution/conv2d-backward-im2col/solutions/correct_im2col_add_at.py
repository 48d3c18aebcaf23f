# Correct: im2col with fancy indexing, two matrix products, and col2im with np.add.at.
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
    cols = xp[:, ch, r, s]  # (N, K, P)
    g = dout.reshape(N, F, -1)
    db = g.sum(axis=(0, 2))
    dw = np.tensordot(g, cols, axes=([0, 2], [0, 2])).reshape(w.shape)
    dcols = np.matmul(w.reshape(F, -1).T, g)  # (N, K, P)
    dxp = np.zeros_like(xp)
    ch_b = np.broadcast_to(ch, r.shape)
    for n in range(N):
        np.add.at(dxp[n], (ch_b, r, s), dcols[n])
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

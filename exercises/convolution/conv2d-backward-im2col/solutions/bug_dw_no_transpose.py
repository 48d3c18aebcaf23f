# Bug: dw computed as cols @ dout^T, shape (K, F), then reshaped to (F, C, HH, WW) without
# transposing it first.
import numpy as np


def conv2d_backward_im2col(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw_kf = np.zeros((C * HH * WW, F))
    for kh in range(HH):
        for kw in range(WW):
            sl = (slice(None), slice(None), slice(kh, kh + stride * Ho, stride), slice(kw, kw + stride * Wo, stride))
            dxp[sl] += np.einsum("nfhw,fc->nchw", dout, w[:, :, kh, kw])
    cols = np.stack(
        [xp[:, :, kh : kh + stride * Ho : stride, kw : kw + stride * Wo : stride] for kh in range(HH) for kw in range(WW)],
        axis=2,
    ).reshape(N, C * HH * WW, Ho * Wo)  # rows (c, kh, kw)
    dw_kf = np.einsum("nkp,nfp->kf", cols, dout.reshape(N, F, -1))
    dw = dw_kf.reshape(F, C, HH, WW)
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, dout.sum(axis=(0, 2, 3))

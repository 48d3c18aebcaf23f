# Correct: loop over the HH*WW kernel offsets only; each offset is a strided slice of the padded
# input, which gives one (F, C) block of dw and receives one (N, C, H', W') block of dx.
import numpy as np


def conv2d_backward_im2col(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for kh in range(HH):
        for kw in range(WW):
            sl = (slice(None), slice(None), slice(kh, kh + stride * Ho, stride), slice(kw, kw + stride * Wo, stride))
            dw[:, :, kh, kw] = np.einsum("nfhw,nchw->fc", dout, xp[sl])
            dxp[sl] += np.einsum("nfhw,fc->nchw", dout, w[:, :, kh, kw])
    db = dout.sum(axis=(0, 2, 3))
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

# Bug: dx is returned with the padding still on: shape (N, C, H + 2*pad, W + 2*pad).
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
    return dxp, dw, dout.sum(axis=(0, 2, 3))

# Correct: loop over the kernel offsets (kh, kw). The forward pass at one offset is a strided
# slice of the padded input times w[:, :, kh, kw]; its gradient is two einsums.
import numpy as np


def conv2d_backward(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    dxp = np.zeros(xp.shape)
    dw = np.zeros(w.shape)
    for kh in range(HH):
        rows = slice(kh, kh + stride * (Ho - 1) + 1, stride)
        for kw in range(WW):
            cols = slice(kw, kw + stride * (Wo - 1) + 1, stride)
            dw[:, :, kh, kw] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, kh, kw])
    db = np.einsum("nfhw->f", dout)
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db

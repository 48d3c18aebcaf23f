# Bug: the input is never padded, so the output is that of pad = 0.
import numpy as np


def dilated_conv2d(x, w, b, stride, pad, dilation):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H - dilation * (HH - 1) - 1) // stride + 1
    Wo = (W - dilation * (WW - 1) - 1) // stride + 1
    out = np.zeros((N, F, Ho, Wo)) + b[None, :, None, None]
    for kh in range(HH):
        for kw in range(WW):
            r0, c0 = kh * dilation, kw * dilation
            part = x[:, :, r0 : r0 + stride * (Ho - 1) + 1 : stride,
                     c0 : c0 + stride * (Wo - 1) + 1 : stride]
            out += np.einsum("nchw,fc->nfhw", part, w[:, :, kh, kw])
    return out

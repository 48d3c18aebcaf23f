# Bug: the output size uses an effective kernel of dilation * HH rows (and dilation * WW
# columns) instead of dilation * (HH - 1) + 1: one window too few unless the floor hides it.
import numpy as np


def dilated_conv2d(x, w, b, stride, pad, dilation):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - dilation * HH) // stride + 1
    Wo = (W + 2 * pad - dilation * WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo)) + b[None, :, None, None]
    for kh in range(HH):
        for kw in range(WW):
            r0, c0 = kh * dilation, kw * dilation
            part = xp[:, :, r0 : r0 + stride * (Ho - 1) + 1 : stride,
                      c0 : c0 + stride * (Wo - 1) + 1 : stride]
            out += np.einsum("nchw,fc->nfhw", part, w[:, :, kh, kw])
    return out

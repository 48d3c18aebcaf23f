# Bug: a true convolution (the kernel flipped by 180 degrees), not a cross-correlation.
import numpy as np


def dilated_conv2d(x, w, b, stride, pad, dilation):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - dilation * (HH - 1) - 1) // stride + 1
    Wo = (W + 2 * pad - dilation * (WW - 1) - 1) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    wf = w[:, :, ::-1, ::-1]
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            r, t = i * stride, j * stride
            win = xp[:, :, r : r + dilation * (HH - 1) + 1 : dilation,
                     t : t + dilation * (WW - 1) + 1 : dilation]
            out[:, :, i, j] = np.einsum("nckl,fckl->nf", win, wf) + b
    return out

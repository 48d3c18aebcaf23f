# Correct: loop over the HH*WW kernel offsets only (9 iterations for 3x3); each one is a strided
# slice of the padded input times one (F, C) matrix, for all images and positions at once.
import numpy as np


def conv2d_im2col(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, Ho, Wo, F))
    for kh in range(HH):
        for kw in range(WW):
            part = xp[:, :, kh : kh + stride * Ho : stride, kw : kw + stride * Wo : stride]
            out += part.transpose(0, 2, 3, 1) @ w[:, :, kh, kw].T  # (N, Ho, Wo, C) @ (C, F)
    return (out + b).transpose(0, 3, 1, 2)

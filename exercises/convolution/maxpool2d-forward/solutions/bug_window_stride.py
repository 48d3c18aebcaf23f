# Bug: the window is taken as stride x stride instead of pool_h x pool_w.
import numpy as np


def maxpool2d_forward(x, pool_h, pool_w, stride):
    N, C, H, W = x.shape
    Ho = (H - pool_h) // stride + 1
    Wo = (W - pool_w) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            r, s = i * stride, j * stride
            out[:, :, i, j] = x[:, :, r : r + stride, s : s + stride].max(axis=(2, 3))
    return out

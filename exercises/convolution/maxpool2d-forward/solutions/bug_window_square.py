# Bug: the window's height is used as its width too: pool_h x pool_h windows.
import numpy as np


def maxpool2d_forward(x, pool_h, pool_w, stride):
    N, C, H, W = x.shape
    Ho = (H - pool_h) // stride + 1
    Wo = (W - pool_w) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            r, s = i * stride, j * stride
            out[:, :, i, j] = x[:, :, r : r + pool_h, s : s + pool_h].max(axis=(2, 3))
    return out

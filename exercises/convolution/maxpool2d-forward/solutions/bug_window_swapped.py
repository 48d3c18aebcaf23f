# Bug: pool_h and pool_w swapped when slicing the window (the output size is right).
import numpy as np


def maxpool2d_forward(x, pool_h, pool_w, stride):
    N, C, H, W = x.shape
    Ho = (H - pool_h) // stride + 1
    Wo = (W - pool_w) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * stride : i * stride + pool_w, j * stride : j * stride + pool_h]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out

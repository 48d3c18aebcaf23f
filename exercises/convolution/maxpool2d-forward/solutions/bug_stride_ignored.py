# Bug: the stride sets the output size but window (i, j) starts at (i, j).
import numpy as np


def maxpool2d_forward(x, pool_h, pool_w, stride):
    N, C, H, W = x.shape
    Ho = (H - pool_h) // stride + 1
    Wo = (W - pool_w) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i : i + pool_h, j : j + pool_w].max(axis=(2, 3))
    return out

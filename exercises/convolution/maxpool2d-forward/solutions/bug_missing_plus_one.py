# Bug: the output size forgets the + 1.
import numpy as np


def maxpool2d_forward(x, pool_h, pool_w, stride):
    N, C, H, W = x.shape
    Ho = (H - pool_h) // stride
    Wo = (W - pool_w) // stride
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = np.max(
                x[:, :, i * stride : i * stride + pool_h, j * stride : j * stride + pool_w],
                axis=(2, 3),
            )
    return out

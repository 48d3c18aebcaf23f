# Bug: assignment instead of accumulation; right only when no two windows share a maximum.
import numpy as np


def maxpool2d_backward(x, pool_h, pool_w, stride, dout):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[
                        n, c, i * stride : i * stride + pool_h, j * stride : j * stride + pool_w
                    ]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + a, j * stride + b] = dout[n, c, i, j]
    return dx

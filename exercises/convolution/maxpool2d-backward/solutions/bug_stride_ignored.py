# Bug: window (i, j) is taken at (i, j): the stride is forgotten in the backward pass.
import numpy as np


def maxpool2d_backward(x, pool_h, pool_w, stride, dout):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i : i + pool_h, j : j + pool_w]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i + a, j + b] += dout[n, c, i, j]
    return dx

# Correct: scan each window row by row and keep the position of the first strict maximum.
import numpy as np


def maxpool2d_backward(x, pool_h, pool_w, stride, dout):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, best_r, best_s = -np.inf, -1, -1
                    for a in range(pool_h):
                        for b in range(pool_w):
                            r, s = i * stride + a, j * stride + b
                            if x[n, c, r, s] > best:  # strict: a later equal value does not win
                                best, best_r, best_s = x[n, c, r, s], r, s
                    dx[n, c, best_r, best_s] += dout[n, c, i, j]
    return dx

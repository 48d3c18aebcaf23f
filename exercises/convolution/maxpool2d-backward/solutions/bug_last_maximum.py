# Bug: the scan updates on >=, so with tied maxima the last one wins.
import numpy as np


def maxpool2d_backward(x, pool_h, pool_w, stride, dout):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, pos = -np.inf, None
                    for a in range(pool_h):
                        for b in range(pool_w):
                            v = x[n, c, i * stride + a, j * stride + b]
                            if v >= best:
                                best, pos = v, (i * stride + a, j * stride + b)
                    dx[n, c, pos[0], pos[1]] += dout[n, c, i, j]
    return dx

# Bug: the flat index is split as column-major, idx = t*H + r, instead of row-major idx = r*W + t.
import numpy as np


def max_unpool2d(y, indices, pool_h, pool_w, stride, H, W):
    N, C, Ho, Wo = y.shape
    out = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    t, r = divmod(int(indices[n, c, i, j]), H)
                    out[n, c, r, t] = y[n, c, i, j]
    return out

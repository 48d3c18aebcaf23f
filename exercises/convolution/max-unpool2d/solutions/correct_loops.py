# Correct: one value at a time, the flat index split into (row, column) with divmod by W.
import numpy as np


def max_unpool2d(y, indices, pool_h, pool_w, stride, H, W):
    N, C, Ho, Wo = y.shape
    out = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, t = divmod(int(indices[n, c, i, j]), W)
                    out[n, c, r, t] = y[n, c, i, j]
    return out

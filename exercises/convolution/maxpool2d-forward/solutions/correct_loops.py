# Correct: every window scanned element by element, keeping a running maximum from -inf.
import numpy as np


def maxpool2d_forward(x, pool_h, pool_w, stride):
    N, C, H, W = x.shape
    Ho = (H - pool_h) // stride + 1
    Wo = (W - pool_w) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best = -np.inf
                    for a in range(pool_h):
                        for b in range(pool_w):
                            v = x[n, c, i * stride + a, j * stride + b]
                            if v > best:
                                best = v
                    out[n, c, i, j] = best
    return out

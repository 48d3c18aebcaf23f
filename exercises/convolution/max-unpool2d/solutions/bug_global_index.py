# Bug: the indices are used as flat positions in the whole (N, C, H, W) array, not per (n, c)
# plane: every value lands in the first plane.
import numpy as np


def max_unpool2d(y, indices, pool_h, pool_w, stride, H, W):
    N, C = y.shape[:2]
    out = np.zeros(N * C * H * W)
    out[indices.ravel()] = y.ravel()
    return out.reshape(N, C, H, W)

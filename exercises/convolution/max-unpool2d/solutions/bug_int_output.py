# Bug: the output array is created with the dtype of the indices (int64), so every value placed
# into it is truncated to an integer.
import numpy as np


def max_unpool2d(y, indices, pool_h, pool_w, stride, H, W):
    N, C = y.shape[:2]
    out = np.zeros((N, C, H * W), dtype=indices.dtype)
    np.put_along_axis(out, indices.reshape(N, C, -1), y.reshape(N, C, -1), axis=2)
    return out.reshape(N, C, H, W)

# Bug: the values are summed into place (np.add.at), as in max pooling's backward pass: a
# maximum shared by two overlapping windows gets its value twice.
import numpy as np


def max_unpool2d(y, indices, pool_h, pool_w, stride, H, W):
    N, C = y.shape[:2]
    out = np.zeros((N * C, H * W))
    np.add.at(out, (np.arange(N * C)[:, None], indices.reshape(N * C, -1)), y.reshape(N * C, -1))
    return out.reshape(N, C, H, W)

import numpy as np


def avgpool2d_backward(x, pool_h, pool_w, stride, dout):
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            r, c = i * stride, j * stride
            dx[:, :, r : r + pool_h, c : c + pool_w] += dout[:, :, i : i + 1, j : j + 1]
    return dx

import numpy as np


def avgpool2d_backward(x, pool_h, pool_w, stride, dout):
    N, C, H, W = x.shape
    dx = np.zeros((N, C, H, W))
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    g = dout[n, c, i, j] / (pool_h * pool_w)
                    for a in range(pool_h):
                        for b in range(pool_w):
                            dx[n, c, i * stride + a, j * stride + b] += g
    return dx

import numpy as np


def avgpool2d_backward(x, pool_h, pool_w, stride, dout):
    # For each input pixel, sum the gradients of the windows that contain it.
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros((N, C, H, W))
    for r in range(H):
        rows = [i for i in range(Ho) if i * stride <= r < i * stride + pool_h]
        for c in range(W):
            cols = [j for j in range(Wo) if j * stride <= c < j * stride + pool_w]
            if rows and cols:
                dx[:, :, r, c] = dout[:, :, rows][:, :, :, cols].sum(axis=(2, 3))
    return dx / (pool_h * pool_w)

# Bug: every element equal to the window's maximum gets the gradient (fine without ties).
import numpy as np


def maxpool2d_backward(x, pool_h, pool_w, stride, dout):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros_like(x)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * stride : i * stride + pool_h, j * stride : j * stride + pool_w]
            mask = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * stride : i * stride + pool_h, j * stride : j * stride + pool_w] += (
                mask * dout[:, :, i, j][:, :, None, None]
            )
    return dx

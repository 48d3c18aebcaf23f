import numpy as np


def rmsnorm_forward_backward(x, gamma, dout, eps):
    D = x.shape[1]
    root = np.sqrt((x**2).mean(axis=1, keepdims=True))
    r = root + eps  # bug: eps outside the square root
    x_hat = x / r
    out = gamma * x_hat
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    # exact gradient of this (other) function: d r / d x = x / (D root)
    dx = g / r - x * (g * x).sum(axis=1, keepdims=True) / (r**2 * D * root)
    return out, dx, dgamma

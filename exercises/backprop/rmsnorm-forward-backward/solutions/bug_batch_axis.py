import numpy as np


def rmsnorm_forward_backward(x, gamma, dout, eps):
    r = np.sqrt((x**2).mean(axis=0, keepdims=True) + eps)  # bug: over the batch
    x_hat = x / r
    out = gamma * x_hat
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    dx = (g - x_hat * (g * x_hat).mean(axis=0, keepdims=True)) / r
    return out, dx, dgamma

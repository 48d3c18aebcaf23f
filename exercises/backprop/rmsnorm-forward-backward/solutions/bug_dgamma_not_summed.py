import numpy as np


def rmsnorm_forward_backward(x, gamma, dout, eps):
    r = np.sqrt((x**2).mean(axis=1, keepdims=True) + eps)
    x_hat = x / r
    out = gamma * x_hat
    dgamma = dout * x_hat  # bug: not summed over the batch
    g = dout * gamma
    dx = (g - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / r
    return out, dx, dgamma

import numpy as np


def rmsnorm_forward_backward(x, gamma, dout, eps):
    xc = x - x.mean(axis=1, keepdims=True)  # bug: this is layer norm
    r = np.sqrt((xc**2).mean(axis=1, keepdims=True) + eps)
    x_hat = xc / r
    out = gamma * x_hat
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / r
    return out, dx, dgamma

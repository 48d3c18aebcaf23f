import numpy as np


def rmsnorm_forward_backward(x, gamma, dout, eps):
    r = np.sqrt((x**2).mean(axis=1, keepdims=True) + eps)
    x_hat = x / r
    out = gamma * x_hat
    dgamma = (dout * x_hat).sum(axis=0)
    dx = dout * gamma / r  # bug: r depends on x too
    return out, dx, dgamma

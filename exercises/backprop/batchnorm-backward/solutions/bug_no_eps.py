import numpy as np


def batchnorm_backward(x, gamma, beta, dout, eps=1e-5):
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0))  # bug: eps is left out
    xhat = (x - mu) / std
    g = dout * gamma
    dx = (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)) / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)

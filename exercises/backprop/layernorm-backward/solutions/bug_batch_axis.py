import numpy as np


def layernorm_backward(x, gamma, beta, dout, eps=1e-5):
    # batch norm's statistics, over axis 0
    N = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    g = dout * gamma
    dx = inv / N * (N * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)

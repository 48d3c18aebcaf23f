import numpy as np


def batchnorm_backward(x, gamma, beta, dout, eps=1e-5):
    N = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    g = dout * gamma
    # Consistent with the unbiased forward pass: d var / d x_i = 2 (x_i - mu) / (N - 1).
    dx = (g - g.mean(axis=0)) / std - (x - mu) * (g * (x - mu)).sum(axis=0) / ((N - 1) * std**3)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)

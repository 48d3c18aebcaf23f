import numpy as np


def batchnorm_backward(x, gamma, beta, dout, eps=1e-5):
    # Forward pass as a chain of small steps, then each step backwards.
    N = x.shape[0]
    mu = np.sum(x, axis=0) / N
    xc = x - mu
    sq = xc**2
    var = np.sum(sq, axis=0) / N
    std = np.sqrt(var + eps)
    istd = 1.0 / std
    xhat = xc * istd

    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma

    distd = np.sum(dxhat * xc, axis=0)
    dxc = dxhat * istd
    dstd = -distd / std**2
    dvar = 0.5 * dstd / std
    dsq = np.ones_like(x) * dvar / N
    dxc = dxc + 2 * xc * dsq
    dmu = -np.sum(dxc, axis=0)
    dx = dxc + np.ones_like(x) * dmu / N
    return dx, dgamma, dbeta

import numpy as np


def batchnorm_backward(x, gamma, beta, dout, eps=1e-5):
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - mu) / std
    return dout * gamma / std, (dout * xhat).sum(axis=0), dout.sum(axis=0)

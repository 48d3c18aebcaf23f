import numpy as np


def layernorm_backward(x, gamma, beta, dout, eps=1e-5):
    # forward, one small step at a time (each row is one example)
    D = x.shape[1]
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    var = (xc**2).sum(axis=1, keepdims=True) / D
    std = np.sqrt(var + eps)
    inv = 1.0 / std
    xhat = xc * inv

    # backward through each step, in reverse
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dxc = dxhat * inv  # path xhat = xc * inv
    dinv = (dxhat * xc).sum(axis=1, keepdims=True)
    dstd = -dinv / std**2
    dvar = dstd / (2 * std)
    dxc += 2 * xc * dvar / D  # path var = sum(xc**2) / D
    dx = dxc - dxc.sum(axis=1, keepdims=True) / D  # path xc = x - mu
    return dx, dgamma, dbeta

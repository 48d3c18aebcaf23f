import numpy as np


def layernorm_backward(x, gamma, beta, dout, eps=1e-5):
    D = x.shape[1]
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, ddof=1, keepdims=True)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    g = dout * gamma
    # the derivative of the unbiased variance (2 xc / (D - 1)), consistently
    dx = inv * (
        g - g.mean(axis=1, keepdims=True) - xhat * (g * xhat).sum(axis=1, keepdims=True) / (D - 1)
    )
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)

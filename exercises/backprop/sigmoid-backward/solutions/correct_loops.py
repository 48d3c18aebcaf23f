import math

import numpy as np


def sig(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid_backward(x, dout):
    dx = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        s = sig(x[i])
        dx[i] = dout[i] * s * (1 - s)
    return dx

import math

import numpy as np


def relu_tanh_backward(x, dout):
    dx_relu = np.zeros_like(x)
    dx_tanh = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        v = float(x[idx])
        if v > 0:
            dx_relu[idx] = dout[idx]
        t = math.tanh(v)
        dx_tanh[idx] = dout[idx] * (1 - t * t)
    return dx_relu, dx_tanh

import numpy as np


def relu_tanh_backward(x, dout):
    dx_relu = dout.copy()
    dx_relu[dout <= 0] = 0.0
    return dx_relu, dout * (1 - np.tanh(x) ** 2)

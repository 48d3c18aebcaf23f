import numpy as np


def relu_tanh_backward(x, dout):
    dx_relu = np.where(x > 0, dout, 0.0)
    dx_tanh = dout * (1 - np.tanh(x) ** 2)
    return dx_relu, dx_tanh

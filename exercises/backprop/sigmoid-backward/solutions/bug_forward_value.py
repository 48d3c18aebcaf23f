import numpy as np


def sigmoid_backward(x, dout):
    s = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
    return dout * s

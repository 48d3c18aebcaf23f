import numpy as np


def softmax_backward(x, dout, axis):
    e = np.exp(x)
    y = e / e.sum(axis=axis, keepdims=True)
    return y * (dout - (dout * y).sum(axis=axis, keepdims=True))

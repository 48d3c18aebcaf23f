import numpy as np


def softmax_backward(x, dout, axis):
    y = np.exp(x - np.max(x, axis=axis, keepdims=True))
    y /= y.sum(axis=axis, keepdims=True)
    return y * dout - y * (y * dout).sum(axis=axis, keepdims=True)

import numpy as np


def softmax_backward(x, dout, axis):
    y = np.exp(x - x.max(axis=axis, keepdims=True))
    y = y / y.sum(axis=axis, keepdims=True)
    return y * (dout - (dout * y).sum(axis=-1, keepdims=True))

import numpy as np


def linear_backward(x, w, b, dout):
    return dout @ w.T, x.T @ dout, np.sum(dout, axis=0)

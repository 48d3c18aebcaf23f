import numpy as np


def linear_backward(x, w, b, dout):
    dx = np.einsum("nm,dm->nd", dout, w)
    dw = np.einsum("nd,nm->dm", x, dout)
    db = np.ones(x.shape[0]) @ dout
    return dx, dw, db

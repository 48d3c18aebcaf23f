import numpy as np


def relu_tanh_backward(x, dout):
    # tanh'(x) = sech(x)^2 = 1 / cosh(x)^2; cosh overflows to inf for |x| > 710, and 1/inf = 0 is
    # the right limit.
    with np.errstate(over="ignore"):
        sech2 = 1.0 / np.cosh(x) ** 2
    mask = (x > 0).astype(np.float64)
    return mask * dout, sech2 * dout

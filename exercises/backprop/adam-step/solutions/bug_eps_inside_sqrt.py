import numpy as np


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad**2
    m_hat = m_new / (1 - beta1**t)
    v_hat = v_new / (1 - beta2**t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), m_new, v_new  # bug: eps inside the root

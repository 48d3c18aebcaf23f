import numpy as np


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    # The paper's efficient form, with eps rescaled so it is added after the correction:
    # lr_t * m / (sqrt(v) + eps * sqrt(1 - beta2^t)) = lr * m_hat / (sqrt(v_hat) + eps)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    c2 = np.sqrt(1 - beta2**t)
    lr_t = lr * c2 / (1 - beta1**t)
    return param - lr_t * m / (np.sqrt(v) + eps * c2), m, v

import math

import numpy as np


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    # in place, the way torch.optim.Adam writes it
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * np.square(grad)
    step_size = lr / (1 - beta1**t)
    denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
    param -= step_size * m / denom
    return param, m, v

import numpy as np


def rmsnorm_forward_backward(x, gamma, dout, eps):
    s2 = np.mean(np.square(x), axis=-1, keepdims=True) + eps  # rms squared
    s = np.sqrt(s2)
    out = x / s * gamma
    g = dout * gamma
    # d/dx (x / s) applied to g:  g / s - x * mean(g * x) / s^3
    dx = g / s - x * np.mean(g * x, axis=-1, keepdims=True) / (s2 * s)
    dgamma = np.einsum("nd,nd->d", dout, x / s)
    return out, dx, dgamma

import numpy as np


def rmsnorm_forward_backward(x, gamma, dout, eps):
    D = x.shape[1]
    ms = (x**2).sum(axis=1, keepdims=True) / D  # mean square of each row
    rms = np.sqrt(ms + eps)
    x_hat = x / rms
    out = gamma * x_hat

    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    # x_hat = x * rms^-1: a direct path, and one through rms
    drms = -(dx_hat * x).sum(axis=1, keepdims=True) / rms**2
    dms = drms / (2 * rms)
    dx = dx_hat / rms + dms * 2 * x / D
    return out, dx, dgamma

import math

import numpy as np


def rmsnorm_forward_backward(x, gamma, dout, eps):
    N, D = x.shape
    out = np.zeros((N, D))
    dx = np.zeros((N, D))
    dgamma = np.zeros(D)
    for n in range(N):
        r = math.sqrt(sum(x[n, d] ** 2 for d in range(D)) / D + eps)
        for d in range(D):
            out[n, d] = gamma[d] * x[n, d] / r
            dgamma[d] += dout[n, d] * x[n, d] / r
        # Jacobian of x_hat = x / r: J[d, k] = delta_dk / r - x_d x_k / (D r^3)
        for k in range(D):
            total = 0.0
            for d in range(D):
                jac = (1.0 if d == k else 0.0) / r - x[n, d] * x[n, k] / (D * r**3)
                total += dout[n, d] * gamma[d] * jac
            dx[n, k] = total
    return out, dx, dgamma

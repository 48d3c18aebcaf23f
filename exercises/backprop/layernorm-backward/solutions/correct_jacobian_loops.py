import numpy as np


def layernorm_backward(x, gamma, beta, dout, eps=1e-5):
    N, D = x.shape
    dx = np.zeros_like(x)
    dgamma = np.zeros(D)
    dbeta = np.zeros(D)
    for n in range(N):
        row = x[n]
        mu = row.sum() / D
        var = ((row - mu) ** 2).sum() / D
        s = np.sqrt(var + eps)
        xhat = (row - mu) / s
        # Jacobian of xhat with respect to the row: (I - 1/D - xhat xhat^T / D) / s
        jac = (np.eye(D) - np.ones((D, D)) / D - np.outer(xhat, xhat) / D) / s
        dx[n] = jac.T @ (dout[n] * gamma)
        dgamma += dout[n] * xhat
        dbeta += dout[n]
    return dx, dgamma, dbeta

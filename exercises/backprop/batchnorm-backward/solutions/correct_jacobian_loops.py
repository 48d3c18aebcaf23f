import numpy as np


def batchnorm_backward(x, gamma, beta, dout, eps=1e-5):
    # Per feature, build the N x N Jacobian d xhat_i / d x_j and apply it.
    N, D = x.shape
    dx = np.zeros((N, D))
    dgamma = np.zeros(D)
    dbeta = np.zeros(D)
    for d in range(D):
        col = x[:, d]
        mu = col.mean()
        var = ((col - mu) ** 2).mean()
        s = np.sqrt(var + eps)
        xhat = (col - mu) / s
        jac = np.zeros((N, N))
        for i in range(N):
            for j in range(N):
                delta = 1.0 if i == j else 0.0
                jac[i, j] = (delta - 1.0 / N) / s - (col[i] - mu) * (col[j] - mu) / (N * s**3)
        dx[:, d] = jac.T @ (dout[:, d] * gamma[d])
        dgamma[d] = np.dot(dout[:, d], xhat)
        dbeta[d] = dout[:, d].sum()
    return dx, dgamma, dbeta

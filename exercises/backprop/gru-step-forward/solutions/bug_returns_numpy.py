import numpy as np


def gru_step(x, h_prev, w_ih, w_hh, b_ih, b_hh):
    x, h_prev = x.numpy(), h_prev.numpy()
    gi = x @ w_ih.numpy().T + b_ih.numpy()
    gh = h_prev @ w_hh.numpy().T + b_hh.numpy()
    i_r, i_z, i_n = np.split(gi, 3, axis=1)
    h_r, h_z, h_n = np.split(gh, 3, axis=1)
    r = 0.5 * (1 + np.tanh(0.5 * (i_r + h_r)))
    z = 0.5 * (1 + np.tanh(0.5 * (i_z + h_z)))
    n = np.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h_prev

import torch


def gru_step(x, h_prev, w_ih, w_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    gi = x @ w_ih.T + b_ih
    gh = h_prev @ w_hh.T + b_hh
    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
    z = torch.sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
    # bug: the 2014 formulation, reset applied to h_prev before the product
    n = torch.tanh(gi[:, 2 * H :] + (r * h_prev) @ w_hh[2 * H :].T + b_hh[2 * H :])
    return (1 - z) * n + z * h_prev

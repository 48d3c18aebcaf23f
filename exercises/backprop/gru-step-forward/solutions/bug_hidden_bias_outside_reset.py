import torch


def gru_step(x, h_prev, w_ih, w_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    a = x @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh  # bug: b_hn summed in before the reset
    r = torch.sigmoid(a[:, :H])
    z = torch.sigmoid(a[:, H : 2 * H])
    n = torch.tanh(
        x @ w_ih[2 * H :].T + b_ih[2 * H :] + b_hh[2 * H :] + r * (h_prev @ w_hh[2 * H :].T)
    )
    return (1 - z) * n + z * h_prev

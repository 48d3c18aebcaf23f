import torch
import torch.nn.functional as F


def gru_step(x, h_prev, w_ih, w_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    # the r and z gates share one sum; n keeps its two parts apart
    both = F.linear(x, w_ih, b_ih) + F.linear(h_prev, w_hh, b_hh)
    rz = torch.sigmoid(both[:, : 2 * H])
    r, z = rz[:, :H], rz[:, H:]
    hidden_n = F.linear(h_prev, w_hh[2 * H :], b_hh[2 * H :])
    n = torch.tanh(F.linear(x, w_ih[2 * H :], b_ih[2 * H :]) + r * hidden_n)
    return h_prev + (1 - z) * (n - h_prev)  # the same as (1 - z) n + z h_prev

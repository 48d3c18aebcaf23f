import numpy as np


def gru_step_backward(x, h_prev, w_ih, w_hh, b_ih, b_hh, dh):
    """Backward pass of one GRU step with nn.GRUCell's conventions.

    Forward, with gi = x @ w_ih.T + b_ih and gh = h_prev @ w_hh.T + b_hh split into the blocks
    r, z, n of H columns:
      r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n),
      h = (1 - z) * n + z * h_prev

    x: (N, D), h_prev: (N, H), w_ih: (3H, D), w_hh: (3H, H), b_ih: (3H,), b_hh: (3H,),
    dh: (N, H) = dL/dh, all float64.
    Returns the tuple (dx, dh_prev, dw_ih, dw_hh, db_ih, db_hh), shaped like x, h_prev, w_ih,
    w_hh, b_ih, b_hh.
    """
    return (
        np.zeros_like(x),
        np.zeros_like(h_prev),
        np.zeros_like(w_ih),
        np.zeros_like(w_hh),
        np.zeros_like(b_ih),
        np.zeros_like(b_hh),
    )

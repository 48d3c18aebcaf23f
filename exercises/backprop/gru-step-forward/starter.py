import torch


def gru_step(x, h_prev, w_ih, w_hh, b_ih, b_hh):
    """One step of a GRU cell with nn.GRUCell's conventions.

    x: (N, D), h_prev: (N, H), w_ih: (3H, D), w_hh: (3H, H), b_ih: (3H,), b_hh: (3H,),
    torch.float64 tensors. The three blocks of H rows are the gates r, z, n, in that order:
      r = sigmoid(x W_ir^T + b_ir + h_prev W_hr^T + b_hr)
      z = sigmoid(x W_iz^T + b_iz + h_prev W_hz^T + b_hz)
      n = tanh(x W_in^T + b_in + r * (h_prev W_hn^T + b_hn))
      h = (1 - z) * n + z * h_prev
    Returns h, a torch.float64 tensor of shape (N, H).
    """
    return torch.zeros_like(h_prev)

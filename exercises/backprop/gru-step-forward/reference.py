"""Reference for gru-step-forward: one step of torch.nn.GRUCell, written out."""

from __future__ import annotations

import torch


def gru_step(
    x: torch.Tensor,
    h_prev: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> torch.Tensor:
    """x (N, D), h_prev (N, H), w_ih (3H, D), w_hh (3H, H), b_ih and b_hh (3H,), float64.

    The three blocks of H rows of the weights and biases are the gates r, z, n (nn.GRUCell's
    layout). Returns the new state h, (N, H).
    """
    # Weights are stored (out, in) as in nn.Linear: a row per output unit, hence the transposes.
    gi = x @ w_ih.T + b_ih  # (N, 3H): the input's part of each gate
    gh = h_prev @ w_hh.T + b_hh  # (N, 3H): the previous state's part, bias included
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    # torch.sigmoid and torch.tanh are stable for pre-activations of any size.
    r = torch.sigmoid(i_r + h_r)  # reset gate
    z = torch.sigmoid(i_z + h_z)  # update gate: the share of the old state kept
    # The reset gate scales the whole hidden term, its bias b_hn included (nn.GRUCell's
    # convention; the 2014 paper applies r to h_prev before the product instead).
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h_prev

"""Reference for gru-step-backward: the gradients of one torch.nn.GRUCell step."""

from __future__ import annotations

import numpy as np


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # Only ever exponentiate -|a| <= 0: no overflow for large |a| of either sign.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def gru_step_backward(
    x: np.ndarray,
    h_prev: np.ndarray,
    w_ih: np.ndarray,
    w_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    dh: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Gradients of one GRU step given dL/dh (N, H).

    Forward (nn.GRUCell, gate blocks r, z, n of H rows): r = sigmoid(gi_r + gh_r),
    z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n), h = (1 - z) n + z h_prev, where
    gi = x @ w_ih.T + b_ih and gh = h_prev @ w_hh.T + b_hh.
    Returns dx (N, D), dh_prev (N, H), dw_ih (3H, D), dw_hh (3H, H), db_ih (3H,), db_hh (3H,).
    """
    H = h_prev.shape[1]
    # The forward pass again: the backward pass needs its intermediate values.
    gi = x @ w_ih.T + b_ih
    gh = h_prev @ w_hh.T + b_hh
    r = _sigmoid(gi[:, :H] + gh[:, :H])
    z = _sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
    gh_n = gh[:, 2 * H :]  # W_hn h_prev + b_hn: what the reset gate scales
    n = np.tanh(gi[:, 2 * H :] + r * gh_n)

    # h = (1 - z) n + z h_prev.
    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    da_n = dn * (1 - n * n)  # through tanh
    dr = da_n * gh_n  # r multiplies the whole hidden term, b_hn included
    da_r = dr * r * (1 - r)  # through the sigmoids
    da_z = dz * z * (1 - z)

    # r and z take the same pre-activation gradient on both sides; n's hidden side is scaled by r.
    dgi = np.concatenate([da_r, da_z, da_n], axis=1)  # (N, 3H)
    dgh = np.concatenate([da_r, da_z, da_n * r], axis=1)

    # Two linear layers with weights stored (out, in): dW = dout.T @ input, dinput = dout @ W.
    dx = dgi @ w_ih
    dw_ih = dgi.T @ x
    db_ih = dgi.sum(axis=0)
    dw_hh = dgh.T @ h_prev
    db_hh = dgh.sum(axis=0)
    # h_prev also reaches h directly, through z * h_prev.
    dh_prev = dh * z + dgh @ w_hh
    return dx, dh_prev, dw_ih, dw_hh, db_ih, db_hh

"""Reference for lstm-bptt: the gradients of an LSTM run over a whole sequence (lstm-step's
conventions), by backpropagation through time."""

from __future__ import annotations

import numpy as np


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # Only ever exponentiate -|a| <= 0: no overflow for large |a| of either sign.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def lstm_bptt(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    wx: np.ndarray,
    wh: np.ndarray,
    b: np.ndarray,
    dh: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """x (N, T, D), h0 and c0 (N, H), wx (D, 4H), wh (H, 4H), b (4H,), dh (N, T, H) = dL/dh_t.

    Forward, for t = 1..T: a = x_t @ wx + h_(t-1) @ wh + b split into i, f, o, g; c_t = f c_(t-1)
    + i g; h_t = o tanh(c_t). Returns dx (N, T, D), dh0 (N, H), dc0 (N, H), dwx (D, 4H),
    dwh (H, 4H), db (4H,).
    """
    N, T, _ = x.shape
    H = h0.shape[1]

    # Forward, keeping what the backward pass needs: the states before each step and the gates.
    h_prev, c_prev = [], []
    gates, cells = [], []
    h, c = h0, c0
    for t in range(T):
        h_prev.append(h)
        c_prev.append(c)
        a = x[:, t] @ wx + h @ wh + b
        i = _sigmoid(a[:, :H])
        f = _sigmoid(a[:, H : 2 * H])
        o = _sigmoid(a[:, 2 * H : 3 * H])
        g = np.tanh(a[:, 3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        gates.append((i, f, o, g))
        cells.append(c)

    dx = np.zeros_like(x)
    dwx, dwh, db = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b)
    # What flows back into h_t and c_t from step t+1 (nothing after the last step: the loss reads
    # the h_t through dh only).
    dh_next = np.zeros((N, H))
    dc_next = np.zeros((N, H))
    for t in reversed(range(T)):
        i, f, o, g = gates[t]
        tanh_c = np.tanh(cells[t])
        # h_t is both an output (dh[:, t]) and the input of step t+1 (dh_next).
        dh_t = dh[:, t] + dh_next
        # c_t reaches the loss through h_t = o tanh(c_t) and through c_(t+1) (dc_next).
        dc_t = dc_next + dh_t * o * (1 - tanh_c**2)
        di, df, do, dg = dc_t * g, dc_t * c_prev[t], dh_t * tanh_c, dc_t * i
        da = np.concatenate(
            [di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g**2)], axis=1
        )
        # The weights are shared by every step: their gradients sum over time.
        dx[:, t] = da @ wx.T
        dwx += x[:, t].T @ da
        dwh += h_prev[t].T @ da
        db += da.sum(axis=0)
        dh_next = da @ wh.T
        dc_next = dc_t * f  # c_t = f c_(t-1) + i g
    return dx, dh_next, dc_next, dwx, dwh, db

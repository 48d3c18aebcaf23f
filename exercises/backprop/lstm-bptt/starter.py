import numpy as np


def lstm_bptt(x, h0, c0, wx, wh, b, dh):
    """Backpropagation through time in an LSTM (the conventions of lstm-step).

    Forward, for t = 0..T-1: a = x[:, t] @ wx + h @ wh + b, split into four blocks of H columns
    in the order i, f, o, g; i, f, o = sigmoid, g = tanh; c = f * c + i * g; h = o * tanh(c);
    the hidden state after step t is h_t, starting from h0 and c0.

    x: (N, T, D), h0: (N, H), c0: (N, H), wx: (D, 4H), wh: (H, 4H), b: (4H,),
    dh: (N, T, H), dh[:, t] = dL/dh_t (the loss reads every h_t, and not the last cell state).
    Returns the tuple (dx, dh0, dc0, dwx, dwh, db), shaped like x, h0, c0, wx, wh, b.
    """
    return (
        np.zeros_like(x),
        np.zeros_like(h0),
        np.zeros_like(c0),
        np.zeros_like(wx),
        np.zeros_like(wh),
        np.zeros_like(b),
    )

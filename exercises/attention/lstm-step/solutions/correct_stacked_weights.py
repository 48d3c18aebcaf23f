import numpy as np


def lstm_step(x, h_prev, c_prev, wx, wh, b):
    # [x, h_prev] @ [[wx], [wh]] is the same pre-activation in one product
    a = np.concatenate([x, h_prev], axis=1) @ np.vstack([wx, wh]) + b
    H = h_prev.shape[1]
    gates = 0.5 * (1.0 + np.tanh(0.5 * a[:, : 3 * H]))  # sigmoid via tanh: never overflows
    i, f, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H :]
    g = np.tanh(a[:, 3 * H :])
    c = f * c_prev + i * g
    return o * np.tanh(c), c

import numpy as np


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # Only ever exponentiate -|a| <= 0: no overflow for large |a| of either sign.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def lstm_step(
    x: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    wx: np.ndarray,
    wh: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step. x (N, D), h_prev and c_prev (N, H), wx (D, 4H), wh (H, 4H), b (4H,).

    The pre-activation a = x @ wx + h_prev @ wh + b splits into four blocks of H columns in the
    order i, f, o, g. Returns (h, c), each (N, H).
    """
    H = h_prev.shape[1]
    a = x @ wx + h_prev @ wh + b  # (N, 4H)
    i = _sigmoid(a[:, 0 * H : 1 * H])  # input gate
    f = _sigmoid(a[:, 1 * H : 2 * H])  # forget gate
    o = _sigmoid(a[:, 2 * H : 3 * H])  # output gate
    g = np.tanh(a[:, 3 * H : 4 * H])  # candidate cell values, in (-1, 1)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c

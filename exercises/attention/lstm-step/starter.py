def lstm_step(x, h_prev, c_prev, wx, wh, b):
    """One step of an LSTM cell.

    x: (N, D), h_prev: (N, H), c_prev: (N, H), wx: (D, 4H), wh: (H, 4H), b: (4H,).
    a = x @ wx + h_prev @ wh + b, split into four blocks of H columns in the order i, f, o, g;
    i, f, o = sigmoid, g = tanh; c = f * c_prev + i * g; h = o * tanh(c).
    Returns the tuple (h, c), each of shape (N, H).
    """
    raise NotImplementedError

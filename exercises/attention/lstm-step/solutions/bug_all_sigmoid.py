import numpy as np


def sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


def lstm_step(x, h_prev, c_prev, wx, wh, b):
    a = sigmoid(x @ wx + h_prev @ wh + b)  # bug: g gets a sigmoid too
    i, f, o, g = np.split(a, 4, axis=1)
    c = f * c_prev + i * g
    return o * np.tanh(c), c

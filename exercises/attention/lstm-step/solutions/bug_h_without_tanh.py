import numpy as np


def sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


def lstm_step(x, h_prev, c_prev, wx, wh, b):
    a = x @ wx + h_prev @ wh + b
    ai, af, ao, ag = np.split(a, 4, axis=1)
    i, f, o, g = sigmoid(ai), sigmoid(af), sigmoid(ao), np.tanh(ag)
    c = f * c_prev + i * g
    return o * c, c  # bug: o * tanh(c)

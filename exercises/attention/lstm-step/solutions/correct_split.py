import numpy as np


def sigmoid(a):
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1 / (1 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1 + e)
    return out


def lstm_step(x, h_prev, c_prev, wx, wh, b):
    a = x @ wx + h_prev @ wh + b
    ai, af, ao, ag = np.split(a, 4, axis=1)
    i, f, o, g = sigmoid(ai), sigmoid(af), sigmoid(ao), np.tanh(ag)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c

import numpy as np


def positional_encoding(T, d):
    position = np.arange(1, T + 1)[:, None]
    div_term = 10000.0 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(position / div_term)
    pe[:, 1::2] = np.cos(position / div_term)
    return pe

import numpy as np


def positional_encoding(T, d):
    position = np.arange(T)[:, None]
    i = np.arange(d // 2)
    div_term = 10000.0 ** (i / d)
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(position / div_term)
    pe[:, 1::2] = np.cos(position / div_term)
    return pe

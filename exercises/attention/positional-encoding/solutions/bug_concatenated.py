import numpy as np


def positional_encoding(T, d):
    position = np.arange(T)[:, None]
    div_term = 10000.0 ** (np.arange(0, d, 2) / d)
    angles = position / div_term
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)

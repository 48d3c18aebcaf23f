import numpy as np


def positional_encoding(T, d):
    # the form used in many codebases: div_term = exp(2i * (-ln 10000 / d))
    position = np.arange(T, dtype=np.float64)[:, None]
    div_term = np.exp(np.arange(0, d, 2) * (-np.log(10000.0) / d))
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(position * div_term)
    pe[:, 1::2] = np.cos(position * div_term)
    return pe

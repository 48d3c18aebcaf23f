import numpy as np


def positional_encoding(T, d):
    p = np.arange(T)[:, None]
    i = np.arange(d // 2)[None, :]
    angles = p / np.power(10000.0, 2 * i / d)
    # stack (T, d/2, 2) then flatten the last two axes: sin, cos, sin, cos, ...
    return np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(T, d)

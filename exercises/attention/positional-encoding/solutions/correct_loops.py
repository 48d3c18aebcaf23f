import math

import numpy as np


def positional_encoding(T, d):
    pe = np.zeros((T, d))
    for p in range(T):
        for i in range(d // 2):
            angle = p / 10000 ** (2 * i / d)
            pe[p, 2 * i] = math.sin(angle)
            pe[p, 2 * i + 1] = math.cos(angle)
    return pe

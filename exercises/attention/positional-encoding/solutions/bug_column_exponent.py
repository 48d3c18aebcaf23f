import numpy as np


def positional_encoding(T, d):
    pe = np.zeros((T, d))
    for p in range(T):
        for j in range(d):
            angle = p / 10000 ** (j / d)  # bug: j, not the pair index 2*(j//2)
            pe[p, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    return pe

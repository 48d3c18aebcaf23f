import numpy as np


def causal_mask(Tq, Tk):
    mask = np.zeros((Tq, Tk), dtype=bool)
    for i in range(Tq):
        pos = Tk - Tq + i  # where query i sits among the keys
        for j in range(Tk):
            if j <= pos:
                mask[i, j] = True
    return mask

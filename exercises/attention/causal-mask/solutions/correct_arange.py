import numpy as np


def causal_mask(Tq, Tk):
    i = np.arange(Tq)[:, None]
    j = np.arange(Tk)[None, :]
    return j <= i + (Tk - Tq)

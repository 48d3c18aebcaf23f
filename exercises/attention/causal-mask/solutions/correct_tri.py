import numpy as np


def causal_mask(Tq, Tk):
    # np.tri puts ones on and below the k-th diagonal; shift it by the number of cached keys.
    return np.tri(Tq, Tk, k=Tk - Tq, dtype=bool)

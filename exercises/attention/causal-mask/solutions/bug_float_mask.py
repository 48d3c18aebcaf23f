import numpy as np


def causal_mask(Tq, Tk):
    return np.tril(np.ones((Tq, Tk)), k=Tk - Tq)

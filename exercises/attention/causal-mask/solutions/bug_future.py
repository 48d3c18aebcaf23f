import numpy as np


def causal_mask(Tq, Tk):
    return np.triu(np.ones((Tq, Tk), dtype=bool), k=Tk - Tq)

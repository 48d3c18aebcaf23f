import numpy as np


def causal_mask(Tq, Tk):
    # query i compared with key i, as if the queries started at position 0
    return np.tril(np.ones((Tq, Tk), dtype=bool))

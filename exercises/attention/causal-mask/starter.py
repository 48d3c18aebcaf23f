def causal_mask(Tq, Tk):
    """Causal attention mask for Tq queries that are the LAST Tq of Tk positions.

    Tq, Tk: Python ints with 1 <= Tq <= Tk.
    Returns mask: a NumPy bool array of shape (Tq, Tk); mask[i, j] is True when query i
    (at absolute position Tk - Tq + i) may attend to key j, i.e. when j <= Tk - Tq + i.
    """
    raise NotImplementedError

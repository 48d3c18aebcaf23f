def positional_encoding(T, d):
    """Sinusoidal positional encoding.

    T: number of positions (int), d: width of the encoding (int, even).
    Returns pe, a float64 array of shape (T, d) with
        pe[p, 2i]   = sin(p / 10000^(2i/d))
        pe[p, 2i+1] = cos(p / 10000^(2i/d))
    """
    raise NotImplementedError

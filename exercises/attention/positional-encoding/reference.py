import numpy as np


def positional_encoding(T: int, d: int) -> np.ndarray:
    """Sinusoidal positional encoding of "Attention Is All You Need", shape (T, d).

    pe[p, 2i] = sin(p / 10000^(2i/d)) and pe[p, 2i+1] = cos(p / 10000^(2i/d)); d is even.
    """
    positions = np.arange(T, dtype=np.float64)[:, None]  # (T, 1), p = 0 .. T-1
    # One frequency per column pair: 10000^(-2i/d) for i = 0 .. d/2-1.
    two_i = np.arange(0, d, 2, dtype=np.float64)  # (d/2,) = 0, 2, 4, ...
    inv_freq = 10000.0 ** (-two_i / d)
    angles = positions * inv_freq  # (T, d/2)
    pe = np.empty((T, d), dtype=np.float64)
    pe[:, 0::2] = np.sin(angles)  # even columns
    pe[:, 1::2] = np.cos(angles)  # odd columns, same frequency as the column before
    return pe

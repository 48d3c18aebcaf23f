import numpy as np


def rotary_embedding(q, k, positions, base):
    d = q.shape[-1]
    i = np.arange(d // 2)
    angle = np.outer(positions, base ** (-2.0 * i / d))  # (T, d/2)
    # each frequency twice, to line up with dimensions 2i and 2i+1
    cos = np.repeat(np.cos(angle), 2, axis=-1)
    sin = np.repeat(np.sin(angle), 2, axis=-1)

    def rot(x):
        swapped = np.empty_like(x)  # (-x1, x0, -x3, x2, ...)
        swapped[..., 0::2] = -x[..., 1::2]
        swapped[..., 1::2] = x[..., 0::2]
        return x * cos + swapped * sin

    return rot(q), rot(k)

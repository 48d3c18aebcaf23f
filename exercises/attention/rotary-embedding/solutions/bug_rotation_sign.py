import numpy as np


def rotary_embedding(q, k, positions, base):
    d = q.shape[-1]
    angle = np.outer(positions, base ** (-np.arange(0, d, 2) / d))
    cos, sin = np.cos(angle), np.sin(angle)

    def rot(x):
        out = np.empty_like(x)
        out[..., 0::2] = x[..., 0::2] * cos + x[..., 1::2] * sin  # bug: rotates by -angle
        out[..., 1::2] = -x[..., 0::2] * sin + x[..., 1::2] * cos
        return out

    return rot(q), rot(k)

import numpy as np


def rotary_embedding(q, k, positions, base):
    d = q.shape[-1]
    angle = np.outer(positions, base ** (-np.arange(0, d, 2) / d))
    cos = np.concatenate([np.cos(angle)] * 2, axis=-1)
    sin = np.concatenate([np.sin(angle)] * 2, axis=-1)

    def rotate_half(x):  # bug: pairs (i, i + d/2), not (2i, 2i+1)
        return np.concatenate([-x[..., d // 2 :], x[..., : d // 2]], axis=-1)

    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

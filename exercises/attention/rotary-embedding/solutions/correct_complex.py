import numpy as np


def rotary_embedding(q, k, positions, base):
    # Each pair (x_2i, x_2i+1) as the complex number x_2i + i x_2i+1; the rotation by the
    # angle a is a product with e^{ia} (the form of Meta's Llama reference code).
    d = q.shape[-1]
    freqs = 1.0 / base ** (np.arange(0, d, 2) / d)
    rotor = np.exp(1j * np.outer(positions, freqs))  # (T, d/2)

    def rot(x):
        z = (x[..., 0::2] + 1j * x[..., 1::2]) * rotor
        return np.stack([z.real, z.imag], axis=-1).reshape(x.shape)

    return rot(q), rot(k)

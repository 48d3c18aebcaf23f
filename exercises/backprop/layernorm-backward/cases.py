"""Inputs of layernorm-backward: x (N, D), gamma (D,), beta (D,), dout (N, D), eps (a float).

options: spread (scale of each row), offset (added to each row), eps.
"""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict, options: dict) -> dict:
    N, D = dims["N"], dims["D"]
    spread = options.get("spread", 1.0)
    offset = options.get("offset", 0.0)
    # Each EXAMPLE gets its own scale and shift (and each feature another), so the per-row
    # statistics differ from the per-column ones: normalising over the wrong axis cannot pass.
    row_scale = spread * rng.uniform(0.5, 2.0, size=(N, 1))
    row_shift = offset + rng.uniform(-3.0, 3.0, size=(N, 1))
    col_shift = rng.uniform(-1.0, 1.0, size=D)
    return {
        "x": rng.standard_normal((N, D)) * row_scale + row_shift + col_shift,
        "gamma": rng.uniform(0.5, 2.0, size=D) * rng.choice([-1.0, 1.0], size=D),
        "beta": rng.standard_normal(D),
        "dout": rng.standard_normal((N, D)),
        # Always passed positionally, even when it is the default value.
        "eps": float(options.get("eps", 1e-5)),
    }

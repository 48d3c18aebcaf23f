"""Inputs of rmsnorm-forward-backward: x (N, D), gamma (D,), dout (N, D), eps (a float).

options: spread (scale of each row), offset (added to each row), eps.
"""

from __future__ import annotations

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    N, D = dims["N"], dims["D"]
    spread = options.get("spread", 1.0)
    offset = options.get("offset", 0.0)
    # Each example gets its own scale and shift, so the per-row statistics differ from the
    # per-column ones (normalising over the batch cannot pass) and rows have a nonzero mean
    # (subtracting the mean, as layer norm does, changes the result).
    row_scale = spread * rng.uniform(0.5, 2.0, size=(N, 1))
    row_shift = offset + spread * rng.uniform(-1.5, 1.5, size=(N, 1))
    return {
        "x": rng.standard_normal((N, D)) * row_scale + row_shift,
        # Signed gains of different sizes: a missing or misplaced gamma shows.
        "gamma": rng.uniform(0.5, 2.0, size=D) * rng.choice([-1.0, 1.0], size=D),
        "dout": rng.standard_normal((N, D)),
        # Always passed positionally, even when it is the usual value.
        "eps": float(options.get("eps", 1e-6)),
    }

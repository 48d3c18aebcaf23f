"""Inputs of gradient-clipping: the gradients dw1 (D, H), db1 (H,), dw2 (H, C), db2 (C,) of a
two-layer network and max_norm (a float).

options: ratio (max_norm / global norm: below 1 the gradients get clipped), dominant (dw1 is
much larger than the others), zero (all gradients are 0), scale (of every gradient).
"""

from __future__ import annotations

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    D, H, C = dims["D"], dims["H"], dims["C"]
    # Each tensor has its own scale, so their norms differ and per-tensor clipping differs from
    # global clipping.
    grads = {
        "dw1": rng.standard_normal((D, H)) * rng.uniform(0.5, 3.0),
        "db1": rng.standard_normal(H) * rng.uniform(0.5, 3.0),
        "dw2": rng.standard_normal((H, C)) * rng.uniform(0.5, 3.0),
        "db2": rng.standard_normal(C) * rng.uniform(0.5, 3.0),
    }
    # scale = 1e-4 gives a global norm of about 1e-3: the 1e-6 of the formula then changes the
    # factor by about 1e-3, far beyond the comparison's tolerance; at ordinary sizes it does not.
    scale = options.get("scale", 1.0)
    grads = {k: g * scale for k, g in grads.items()}
    if options.get("dominant"):
        grads["dw1"] *= 50.0
    if options.get("zero"):
        grads = {k: np.zeros_like(g) for k, g in grads.items()}
        return {**grads, "max_norm": 1.0}
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    # Mostly clipped (ratio < 1), sometimes not; never so close to 1 that the 1e-6 decides.
    ratio = float(options.get("ratio", rng.choice([0.1, 0.25, 0.5, 0.8, 1.5])))
    # Rounded to 3 significant digits, as a person would choose it.
    return {**grads, "max_norm": float(f"{ratio * total:.3g}")}

"""Inputs of conv-transpose2d: x (N, CI, H, W), w (CI, CO, K, K), stride.

options: allow_gaps (a stride >= K, so that footprints do not overlap, is fine for this case).
"""

import numpy as np


def accept(dims, options):
    # Overlapping footprints unless the case asks otherwise: without overlap, a solution that
    # assigns instead of summing would pass. H != W (the distinct group) already makes the
    # output non-square.
    return bool(options.get("allow_gaps")) or dims["S"] < dims["K"]


def _kernel(rng, shape):
    # A 180-degree symmetric or a symmetric (w == w^T) kernel would let a flipped or a
    # transposed kernel pass: never draw one.
    while True:
        w = rng.standard_normal(shape)
        if not np.allclose(w, w[..., ::-1, ::-1]) and not np.allclose(w, w.swapaxes(-1, -2)):
            return w


def make_inputs(rng, dims, options):
    N, CI, CO = dims["N"], dims["CI"], dims["CO"]
    H, W, K = dims["H"], dims["W"], dims["K"]
    return {
        "x": rng.standard_normal((N, CI, H, W)),
        "w": _kernel(rng, (CI, CO, K, K)),
        "stride": int(dims["S"]),
    }

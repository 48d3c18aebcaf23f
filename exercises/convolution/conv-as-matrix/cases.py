"""Inputs of conv-as-matrix: a kernel w (k1, k2) and the image size H, W (ints)."""

import numpy as np


def accept(dims, options):
    Ho, Wo = dims["H"] - dims["k1"] + 1, dims["W"] - dims["k2"] + 1
    # At least 2 x 2 outputs, and non-square: then row-major and column-major numberings differ
    # in both directions, and no transpose can pass.
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def make_inputs(rng, dims, options):
    k1, k2 = dims["k1"], dims["k2"]
    while True:
        w = rng.standard_normal((k1, k2))
        # Not 180-degree symmetric, or a flipped kernel would give the same matrix.
        if not np.allclose(w, w[::-1, ::-1]):
            break
    return {"w": w, "H": int(dims["H"]), "W": int(dims["W"])}

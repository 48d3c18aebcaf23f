"""Inputs of mlp-column-backward: x (n_0, N), y (n_L, N), weights and biases as tuples."""

import numpy as np


def _widths(rng, L, first, last):
    # Consecutive widths differ, so every W is non-square: a transposed dW is a shape error,
    # and an `a_prev @ delta.T` mix-up cannot pass by accident.
    while True:
        widths = [first, *(int(w) for w in rng.integers(2, 7, size=L - 1)), last]
        if all(a != b for a, b in zip(widths, widths[1:])):
            return widths


def make_inputs(rng, dims, options):
    N, L, n0, nL = dims["N"], dims["L"], dims["n0"], dims["nL"]
    widths = _widths(rng, L, n0, nL)
    scale = options.get("scale", 1.0)
    # Weights of order 1/sqrt(fan-in) times `scale`: the sigmoids stay away from saturation (where
    # sigma' ~ 0 would hide a missing derivative), unless a case asks for large pre-activations.
    weights = tuple(
        rng.standard_normal((widths[i + 1], widths[i])) * scale / np.sqrt(widths[i])
        for i in range(L)
    )
    biases = tuple(0.5 * rng.standard_normal((widths[i + 1], 1)) for i in range(L))
    return {
        "x": rng.standard_normal((n0, N)),
        # Targets in (0, 1), like the sigmoid outputs they are compared with.
        "y": rng.uniform(0.05, 0.95, size=(nL, N)),
        "weights": weights,
        "biases": biases,
    }

"""Inputs of gru-step-backward: the instances of gru-step-forward (x (N, D), h_prev (N, H),
w_ih (3H, D), w_hh (3H, H), b_ih (3H,), b_hh (3H,), as nn.GRUCell) and the upstream dh (N, H)."""

from __future__ import annotations

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    N, D, H = dims["N"], dims["D"], dims["H"]
    x = rng.standard_normal((N, D))
    # A realistic previous state: a GRU's h stays in (-1, 1).
    h_prev = np.tanh(rng.standard_normal((N, H)))
    # Weights scaled so the pre-activations are of order 1: the gates are neither saturated (which
    # would hide a swapped gate or convention) nor all near 0.5.
    w_ih = rng.standard_normal((3 * H, D)) / np.sqrt(D)
    w_hh = rng.standard_normal((3 * H, H)) / np.sqrt(H)
    # Both biases nonzero: where b_hn sits (inside or outside the reset gate) then matters.
    b_ih = rng.standard_normal(3 * H) * 0.5
    b_hh = rng.standard_normal(3 * H) * 0.5
    if options.get("zero_state"):
        h_prev = np.zeros((N, H))
    dh = rng.standard_normal((N, H))
    return {
        "x": x,
        "h_prev": h_prev,
        "w_ih": w_ih,
        "w_hh": w_hh,
        "b_ih": b_ih,
        "b_hh": b_hh,
        "dh": dh,  # upstream gradient dL/dh of the new state
    }

"""Inputs of gru-step-forward, drawn as NumPy arrays (the engine passes torch float64 tensors):
x (N, D), h_prev (N, H), w_ih (3H, D), w_hh (3H, H), b_ih (3H,), b_hh (3H,), as nn.GRUCell."""

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
    if options.get("large"):
        # A third of the input biases are huge (|b| in [200, 1000]), both signs, including +1000
        # on the reset gate and -1000 on the update gate of unit 0: exp(1000) overflows, so a
        # sigmoid written as exp(a) / (1 + exp(a)) gives inf / inf = nan.
        huge = rng.random(3 * H) < 1.0 / 3.0
        # The last unit stays unsaturated in all three gates: a saturated gate hides the
        # conventions (r = 1 makes the place of b_hn irrelevant, n = +-1 hides r altogether).
        huge[H - 1 :: H] = False
        magnitude = rng.uniform(200.0, 1000.0, size=3 * H) * rng.choice([-1.0, 1.0], size=3 * H)
        b_ih = np.where(huge, magnitude, b_ih)
        b_ih[0] = 1000.0  # r gate, unit 0
        b_ih[H] = -1000.0  # z gate, unit 0
    return {"x": x, "h_prev": h_prev, "w_ih": w_ih, "w_hh": w_hh, "b_ih": b_ih, "b_hh": b_hh}

"""Inputs of lstm-bptt: x (N, T, D), h0 (N, H), c0 (N, H), wx (D, 4H), wh (H, 4H), b (4H,) and
the upstream gradient dh (N, T, H) of every hidden state. The weights follow lstm-step (gate
blocks i, f, o, g of H columns).

options: last_only (dh is 0 except at the last step), zero_state (h0 = c0 = 0).
"""

from __future__ import annotations

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
    x = rng.standard_normal((N, T, D))
    # A realistic initial state (the end of an earlier chunk of the sequence).
    h0 = np.tanh(rng.standard_normal((N, H)))
    c0 = rng.standard_normal((N, H))
    # Pre-activations of order 1: no gate saturated (which would hide a swapped gate) and
    # forget gates away from 0 and 1, so the gradients carried back in time are neither lost
    # nor passed on unchanged.
    wx = rng.standard_normal((D, 4 * H)) / np.sqrt(D)
    wh = rng.standard_normal((H, 4 * H)) / np.sqrt(H)
    b = rng.standard_normal(4 * H) * 0.5
    dh = rng.standard_normal((N, T, H))
    if options.get("zero_state"):
        h0 = np.zeros((N, H))
        c0 = np.zeros((N, H))
    if options.get("last_only"):
        # A many-to-one model: the loss reads h_T only; every earlier step gets its gradient
        # through time alone.
        dh[:, :-1] = 0.0
    return {"x": x, "h0": h0, "c0": c0, "wx": wx, "wh": wh, "b": b, "dh": dh}

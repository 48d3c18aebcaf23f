"""Inputs of softmax-backward: x (A, B) or (A, B, C), dout like x, axis (a Python int).

options: ndim (2 or 3), axis (-1, 0, 1, ...), offset (added to every score: the softmax does
not change, but exp() of the raw scores overflows).
"""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    ndim = int(options.get("ndim", 2))
    shape = (dims["A"], dims["B"], dims["C"])[:ndim]
    # Scores of spread ~1.5: the softmax is well spread (not saturated), so every entry of the
    # Jacobian matters and a missing term shows.
    x = 1.5 * rng.standard_normal(shape) + float(options.get("offset", 0.0))
    axis = int(options.get("axis", -1))
    if options.get("spread"):
        # Every other slice along the next axis gets 2000 added to every other entry along the
        # softmax axis: scores 2000 apart within those slices, and slices 2000 apart. Only each
        # slice's own maximum keeps exp() from overflowing (minus the mean or the minimum) or
        # from underflowing a whole slice to 0 (minus the maximum of the whole array).
        along = axis % ndim
        index = np.indices(shape)
        x += 2000.0 * ((index[along] % 2 == 0) & (index[(along + 1) % ndim] % 2 == 0))
    return {"x": x, "dout": rng.standard_normal(shape), "axis": int(options.get("axis", -1))}

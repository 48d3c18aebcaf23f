"""Inputs of maxpool2d-forward: x (N, C, H, W), pool_h, pool_w, stride.

options: ties (values drawn from a few integers, so windows hold exactly equal maxima),
negative (every value < 0), allow_gaps (a stride larger than a window side is fine).
"""

import numpy as np


def _out_size(size, k, stride):
    return (size - k) // stride + 1


def accept(dims, options):
    PH, PW, S = dims["PH"], dims["PW"], dims["S"]
    # Overlapping windows unless the case asks for gaps: non-overlapping pooling is the
    # degenerate case that hides stride bugs.
    if not options.get("allow_gaps") and S >= max(PH, PW):
        return False
    Ho = _out_size(dims["H"], PH, S)
    Wo = _out_size(dims["W"], PW, S)
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def make_inputs(rng, dims, options):
    shape = (dims["N"], dims["C"], dims["H"], dims["W"])
    if options.get("ties"):
        # Few distinct values: most windows hold their maximum more than once. Negative values
        # included, so that a maximum started at 0 shows too.
        x = rng.integers(-3, 2, size=shape).astype(np.float64)
    elif options.get("negative"):
        x = -np.abs(rng.standard_normal(shape)) - 0.1
    else:
        x = rng.standard_normal(shape)
    return {
        "x": x,
        "pool_h": int(dims["PH"]),
        "pool_w": int(dims["PW"]),
        "stride": int(dims["S"]),
    }

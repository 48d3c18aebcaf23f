"""Inputs of maxpool2d-backward: x (N, C, H, W), pool_h, pool_w, stride, dout.

options: ties (values drawn from a few integers, so most windows hold equal maxima at several
places), constant (every value equal), allow_gaps (a stride larger than a window side is fine).
"""

import numpy as np


def _out_size(size, k, stride):
    return (size - k) // stride + 1


def accept(dims, options):
    PH, PW, S = dims["PH"], dims["PW"], dims["S"]
    # Overlapping windows unless the case asks for gaps: without overlap, a solution that
    # assigns instead of accumulating would pass.
    if not options.get("allow_gaps") and S >= max(PH, PW):
        return False
    Ho = _out_size(dims["H"], PH, S)
    Wo = _out_size(dims["W"], PW, S)
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def make_inputs(rng, dims, options):
    N, C, H, W = dims["N"], dims["C"], dims["H"], dims["W"]
    PH, PW, S = dims["PH"], dims["PW"], dims["S"]
    if options.get("constant"):
        x = np.full((N, C, H, W), rng.standard_normal())
    elif options.get("ties"):
        # Four values only: in a window of 4 to 12 elements the maximum is usually repeated,
        # at places where first/last and row-major/column-major orders disagree.
        x = rng.integers(-1, 3, size=(N, C, H, W)).astype(np.float64)
    else:
        x = rng.standard_normal((N, C, H, W))  # ties have probability zero
    dout = rng.standard_normal((N, C, _out_size(H, PH, S), _out_size(W, PW, S)))
    return {"x": x, "pool_h": int(PH), "pool_w": int(PW), "stride": int(S), "dout": dout}

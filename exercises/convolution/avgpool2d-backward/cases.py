"""Inputs of avgpool2d-backward: x (N, C, H, W), pool_h, pool_w, stride, dout.

options: allow_gaps (a stride larger than a window side is fine).
"""

import numpy as np


def _out_size(size: int, k: int, stride: int) -> int:
    return (size - k) // stride + 1


def accept(dims: dict[str, int], options: dict) -> bool:
    PH, PW, S = dims["PH"], dims["PW"], dims["S"]
    # Overlapping windows unless the case asks for gaps: without overlap, a solution that
    # assigns instead of accumulating would pass.
    if not options.get("allow_gaps") and S >= max(PH, PW):
        return False
    Ho = _out_size(dims["H"], PH, S)
    Wo = _out_size(dims["W"], PW, S)
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    N, C, H, W = dims["N"], dims["C"], dims["H"], dims["W"]
    PH, PW, S = dims["PH"], dims["PW"], dims["S"]
    # dx does not depend on the values of x (the average is linear), only on its shape.
    x = rng.standard_normal((N, C, H, W))
    dout = rng.standard_normal((N, C, _out_size(H, PH, S), _out_size(W, PW, S)))
    return {"x": x, "pool_h": int(PH), "pool_w": int(PW), "stride": int(S), "dout": dout}

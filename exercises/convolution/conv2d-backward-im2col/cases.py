"""Inputs of conv2d-backward-im2col: x, w, b, stride, pad and the upstream gradient dout.

Small random cases check the values (the stride/padding combinations that hide bugs are avoided,
as in conv2d-backward); the large fixed cases make a Python loop per output element too slow for
the time limit.
"""

import numpy as np


def _out_size(size, k, stride, pad):
    return (size + 2 * pad - k) // stride + 1


def accept(dims, options):
    """Reject the draws that would let common bugs pass unnoticed."""
    S, P = dims["S"], dims["P"]
    if S == 1 and P == 0:
        return False  # stride 1 without padding hides every stride and padding bug
    if P >= min(dims["HH"], dims["WW"]):
        return False  # a window made only of padding teaches nothing
    if S >= max(dims["HH"], dims["WW"]):
        return False  # windows must overlap somewhere, or adding and assigning agree
    Ho = _out_size(dims["H"], dims["HH"], S, P)
    Wo = _out_size(dims["W"], dims["WW"], S, P)
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def _kernel(rng, shape):
    # A 180-degree symmetric kernel would let a flipped-kernel solution pass: never draw one.
    while True:
        w = rng.standard_normal(shape)
        if not np.allclose(w, w[..., ::-1, ::-1]):
            return w


def make_inputs(rng, dims, options):
    N, C, F = dims["N"], dims["C"], dims["F"]
    H, W, HH, WW = dims["H"], dims["W"], dims["HH"], dims["WW"]
    stride, pad = int(dims["S"]), int(dims["P"])
    return {
        "x": rng.standard_normal((N, C, H, W)),
        "w": _kernel(rng, (F, C, HH, WW)),
        "b": rng.standard_normal(F),
        "stride": stride,
        "pad": pad,
        "dout": rng.standard_normal((N, F, _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad))),
    }

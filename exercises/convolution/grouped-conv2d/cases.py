"""Inputs of grouped-conv2d: x (N, G*Cg, H, W), w (G*Fg, Cg, HH, WW), b (G*Fg,), stride, pad,
groups."""

import numpy as np


def _out_size(size, k, stride, pad):
    return (size + 2 * pad - k) // stride + 1


def accept(dims, options):
    """Reject the draws that would let common bugs pass unnoticed: stride 1 without padding hides
    every padding bug; outputs are at least 2 x 2 and not square."""
    S, P = dims["S"], dims["P"]
    if S == 1 and P == 0:
        return False
    Ho = _out_size(dims["H"], dims["HH"], S, P)
    Wo = _out_size(dims["W"], dims["WW"], S, P)
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def _kernel(rng, shape):
    # A 180-degree symmetric kernel would let a flipped-kernel (true convolution) solution pass.
    while True:
        w = rng.standard_normal(shape)
        if not np.allclose(w, w[..., ::-1, ::-1]):
            return w


def make_inputs(rng, dims, options):
    N, G, Cg, Fg = dims["N"], dims["G"], dims["Cg"], dims["Fg"]
    H, W, HH, WW = dims["H"], dims["W"], dims["HH"], dims["WW"]
    return {
        "x": rng.standard_normal((N, G * Cg, H, W)),
        "w": _kernel(rng, (G * Fg, Cg, HH, WW)),
        "b": rng.standard_normal(G * Fg),
        "stride": int(dims["S"]),
        "pad": int(dims["P"]),
        "groups": int(G),
    }

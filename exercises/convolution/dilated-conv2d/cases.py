"""Inputs of dilated-conv2d: x (N, C, H, W), w (F, C, HH, WW), b (F,), stride, pad, dilation."""

import numpy as np


def _out_size(size, k, stride, pad, dilation):
    return (size + 2 * pad - dilation * (k - 1) - 1) // stride + 1


def accept(dims, options):
    """Reject the draws that would let common bugs pass unnoticed (or make them crash).

    Stride 1 without padding hides every padding bug; a pad as wide as the dilated kernel makes
    windows of zeros only. The kernel dilated one step too far (taps dilation + 1 apart, the
    "zeros between taps" reading) must still fit in the padded image, so that this mistake gives
    a wrong answer the feedback can name rather than a crash. Outputs are at least 2 x 2 and not
    square, so that transposes and dropped windows show.
    """
    S, P, D = dims["S"], dims["P"], dims["D"]
    if S == 1 and P == 0:
        return False
    if P >= D * (min(dims["HH"], dims["WW"]) - 1) + 1:
        return False
    for size, k in ((dims["H"], dims["HH"]), (dims["W"], dims["WW"])):
        if (D + 1) * (k - 1) + 1 > size + 2 * P:
            return False
    Ho = _out_size(dims["H"], dims["HH"], S, P, D)
    Wo = _out_size(dims["W"], dims["WW"], S, P, D)
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def _kernel(rng, shape):
    # A 180-degree symmetric kernel would let a flipped-kernel (true convolution) solution pass.
    while True:
        w = rng.standard_normal(shape)
        if not np.allclose(w, w[..., ::-1, ::-1]):
            return w


def make_inputs(rng, dims, options):
    N, C, F = dims["N"], dims["C"], dims["F"]
    H, W, HH, WW = dims["H"], dims["W"], dims["HH"], dims["WW"]
    return {
        "x": rng.standard_normal((N, C, H, W)),
        "w": _kernel(rng, (F, C, HH, WW)),
        "b": rng.standard_normal(F),
        "stride": int(dims["S"]),
        "pad": int(dims["P"]),
        "dilation": int(dims["D"]),
    }

"""Inputs of col2im: cols (N, C*HH*WW, H'*W'), H, W, HH, WW, stride, pad.

cols has the layout of conv2d-im2col: row (c, kh, kw) in C order, column (i, j) in row-major
order.
"""


def _out_size(size, k, stride, pad):
    return (size + 2 * pad - k) // stride + 1


def accept(dims, options):
    """Reject the draws that would let common bugs pass unnoticed.

    Stride 1 without padding hides every padding bug. Unless a case asks for gaps, windows
    overlap along at least one axis (stride < window), or adding and assigning would agree. A pad as wide
    as the window makes windows of padding only. The grid of windows is at least 2 x 2 and not
    square, so that reading the columns in the wrong order shows.
    """
    S, P, HH, WW = dims["S"], dims["P"], dims["HH"], dims["WW"]
    if S == 1 and P == 0:
        return False
    if not options.get("allow_gaps") and S >= max(HH, WW):
        return False
    if P >= min(HH, WW):
        return False
    Ho = _out_size(dims["H"], HH, S, P)
    Wo = _out_size(dims["W"], WW, S, P)
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def make_inputs(rng, dims, options):
    N, C, H, W = dims["N"], dims["C"], dims["H"], dims["W"]
    HH, WW, S, P = dims["HH"], dims["WW"], dims["S"], dims["P"]
    Ho, Wo = _out_size(H, HH, S, P), _out_size(W, WW, S, P)
    return {
        "cols": rng.standard_normal((N, C * HH * WW, Ho * Wo)),
        "H": int(H),
        "W": int(W),
        "HH": int(HH),
        "WW": int(WW),
        "stride": int(S),
        "pad": int(P),
    }

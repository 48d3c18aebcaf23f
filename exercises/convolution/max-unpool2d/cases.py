"""Inputs of max-unpool2d: y (N, C, H', W'), indices (N, C, H', W') int64, pool_h, pool_w,
stride, H, W.

The indices are those of a max pooling of a random x (N, C, H, W), in PyTorch's convention
(flat r*W + t inside each (n, c) plane). Without overlap, y is a random array (the decoder's
features in SegNet); with overlapping windows, y is the pooled x itself, so that an index shared
by two windows comes with the same value twice (PyTorch leaves the result unspecified otherwise).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _out_size(size, k, stride):
    return (size - k) // stride + 1


def accept(dims, options):
    """The windows overlap exactly when a case says so; the last rows or columns are not always
    covered; the pooled grid is at least 2 x 2 and not square."""
    PH, PW, S = dims["PH"], dims["PW"], dims["S"]
    overlap = S < max(PH, PW)
    if overlap != bool(options.get("overlap")):
        return False
    Ho, Wo = _out_size(dims["H"], PH, S), _out_size(dims["W"], PW, S)
    return Ho >= 2 and Wo >= 2 and Ho != Wo


def _pool_indices(x, ph, pw, s):
    """Flat indices r*W + t of the first maximum (row-major) of every window, and the maxima."""
    N, C, H, W = x.shape
    win = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::s, ::s]
    Ho, Wo = win.shape[2:4]
    arg = win.reshape(N, C, Ho, Wo, ph * pw).argmax(axis=-1)
    r = np.arange(Ho)[:, None] * s + arg // pw
    t = np.arange(Wo)[None, :] * s + arg % pw
    idx = (r * W + t).astype(np.int64)
    return idx, np.take_along_axis(x.reshape(N, C, H * W), idx.reshape(N, C, -1), axis=2).reshape(idx.shape)


def make_inputs(rng, dims, options):
    N, C, H, W = dims["N"], dims["C"], dims["H"], dims["W"]
    ph, pw, s = dims["PH"], dims["PW"], dims["S"]
    while True:
        x = rng.standard_normal((N, C, H, W))
        idx, pooled = _pool_indices(x, ph, pw, s)
        if not options.get("overlap"):
            y = rng.standard_normal(idx.shape)
            break
        # Overlapping windows: keep drawing until some maximum is shared by two windows, so that
        # summing (max-pool's backward) and placing (unpooling) disagree.
        if any(len(np.unique(p)) < p.size for p in idx.reshape(N * C, -1)):
            y = pooled
            break
    return {
        "y": y,
        "indices": idx,
        "pool_h": int(ph),
        "pool_w": int(pw),
        "stride": int(s),
        "H": int(H),
        "W": int(W),
    }

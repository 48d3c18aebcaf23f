"""Reference for grouped-conv2d: a 2D cross-correlation whose channels are split into groups."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def grouped_conv2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int, groups: int
) -> np.ndarray:
    """torch.nn.functional.conv2d(x, w, b, stride, pad, groups=groups) in NumPy.

    x (N, C, H, W), w (F, C/G, HH, WW), b (F,), G = groups dividing C and F. Group g reads input
    channels g*C/G ... (g+1)*C/G - 1 with filters g*F/G ... (g+1)*F/G - 1, which produce output
    channels g*F/G ... (g+1)*F/G - 1. Returns (N, F, H', W'), H' = (H + 2*pad - HH) // stride + 1.
    """
    N, C, H, W = x.shape
    F, Cg, HH, WW = w.shape
    G = groups
    Fg = F // G
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    # Every window of every channel, then every stride-th one: (N, C, H', W', HH, WW), a view.
    win = sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    H_out, W_out = win.shape[2:4]
    # Splitting the channel axis C into (G, Cg) and the filter axis F into (G, Fg) in C order is
    # exactly "contiguous blocks": channel c = g*Cg + k, filter f = g*Fg + m. The group index g
    # then appears on both sides of the einsum and is never summed over: a filter of group g
    # never sees a channel of another group.
    win = win.reshape(N, G, Cg, H_out, W_out, HH, WW)
    wg = w.reshape(G, Fg, Cg, HH, WW)
    out = np.einsum("ngkhwij,gmkij->ngmhw", win, wg).reshape(N, F, H_out, W_out)
    return out + b[None, :, None, None]

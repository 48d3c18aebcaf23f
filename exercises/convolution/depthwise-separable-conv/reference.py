"""Reference for depthwise-separable-conv: a depthwise convolution, then a pointwise (1x1) one."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def depthwise_separable_conv(
    x: np.ndarray,
    w_dw: np.ndarray,
    b_dw: np.ndarray,
    w_pw: np.ndarray,
    b_pw: np.ndarray,
    stride: int,
    pad: int,
) -> np.ndarray:
    """conv2d(conv2d(x, w_dw, b_dw, stride, pad, groups=C), w_pw, b_pw) in NumPy.

    x (N, C, H, W); w_dw (C*M, 1, HH, WW), b_dw (C*M,): depthwise channel k reads input channel
    k // M; w_pw (F, C*M, 1, 1), b_pw (F,). Returns (N, F, H', W'), H' = (H + 2*pad - HH)//stride + 1.
    """
    N, C, H, W = x.shape
    CM, _, HH, WW = w_dw.shape
    M = CM // C

    # Depthwise stage. Every depthwise channel k filters one input channel, k // M: its M filters
    # are consecutive (the groups of a grouped convolution with groups = C are contiguous blocks).
    # Repeating each input channel M times in place lines channel k up with filter k.
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    xr = np.repeat(xp, M, axis=1)  # (N, C*M, Hp, Wp): channel k is input channel k // M
    win = sliding_window_view(xr, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    # No sum over channels: k appears on both sides, each channel keeps to itself.
    mid = np.einsum("nkhwij,kij->nkhw", win, w_dw[:, 0]) + b_dw[None, :, None, None]

    # Pointwise stage: a 1x1 convolution is a matrix (F, C*M) applied at every pixel. It has
    # stride 1 and no padding, so it keeps the depthwise output's H' x W'.
    out = np.einsum("fk,nkhw->nfhw", w_pw[:, :, 0, 0], mid)
    return out + b_pw[None, :, None, None]

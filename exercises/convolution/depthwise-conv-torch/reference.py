"""Reference for depthwise-conv-torch: F.conv2d(x, w, b, stride, pad, groups=C) with unfold."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def depthwise_conv2d_torch(
    x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, stride: int, pad: int
) -> torch.Tensor:
    """x (N, C, H, W), w (C, 1, HH, WW), b (C,), float64 tensors. Output channel c is input
    channel c cross-correlated with w[c, 0], plus b[c]. Returns (N, C, H', W'), float64, with
    H' = (H + 2*pad - HH) // stride + 1 and W' likewise."""
    N, C, H, W = x.shape
    HH, WW = w.shape[2:]
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    # F.unfold is im2col: (N, C*HH*WW, L) with L = H'*W' windows in row-major order, and the rows
    # in the order (c, kh, kw) with the channel slowest, the order of w.reshape(C, HH*WW).
    cols = F.unfold(x, (HH, WW), padding=pad, stride=stride)
    cols = cols.view(N, C, HH * WW, H_out * W_out)
    # The channel index c is on both sides and never summed: each channel meets its own filter.
    out = torch.einsum("nckl,ck->ncl", cols, w.reshape(C, HH * WW))
    return out.view(N, C, H_out, W_out) + b.view(1, C, 1, 1)

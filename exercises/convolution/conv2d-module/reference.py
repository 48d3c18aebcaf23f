"""Reference for conv2d-module: a Conv2d layer (cross-correlation) with weight and bias, summing
one shifted, strided view of the padded input per kernel position (no F.conv2d)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class Conv2d(nn.Module):
    """weight: (out_channels, in_channels, kH, kW), bias: (out_channels,). The output is
    out[n, f, y, x] = bias[f] + sum_{c,i,j} weight[f, c, i, j] * xp[n, c, s*y + i, s*x + j],
    with xp the input padded by `padding` zeros on all four sides."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int = 1,
        padding: int = 0,
    ) -> None:
        super().__init__()
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        self.stride, self.padding = stride, padding
        bound = 1 / math.sqrt(in_channels * kh * kw)
        weight = torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound)
        self.weight = nn.Parameter(weight)
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, _, kh, kw = self.weight.shape
        s, p = self.stride, self.padding
        xp = F.pad(x, (p, p, p, p))  # (left, right, top, bottom): both spatial axes
        oh = (xp.shape[2] - kh) // s + 1
        ow = (xp.shape[3] - kw) // s + 1
        out = self.bias.view(1, -1, 1, 1)
        for i in range(kh):
            for j in range(kw):
                # The inputs that kernel position (i, j) meets, one per output position.
                window = xp[:, :, i : i + s * (oh - 1) + 1 : s, j : j + s * (ow - 1) + 1 : s]
                out = out + torch.einsum("nchw,fc->nfhw", window, self.weight[:, :, i, j])
        return out

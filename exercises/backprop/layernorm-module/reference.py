"""Reference for layernorm-module: layer normalisation over the last axis, as an nn.Module."""

from __future__ import annotations

import torch
from torch import nn


class LayerNorm(nn.Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, the mean and the (biased) variance taken
    over the last axis; weight and bias have shape (normalized_shape,)."""

    def __init__(self, normalized_shape: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(normalized_shape))
        self.bias = nn.Parameter(torch.zeros(normalized_shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # biased: divided by D
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias

"""Reference for mha-module: multi-head self-attention as an nn.Module, nn.Linear projections."""

from __future__ import annotations

import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """q_proj, k_proj, v_proj, out_proj: nn.Linear(d_model, d_model) with biases. Head h uses
    the features h*d_head .. (h+1)*d_head - 1 of each projection, scaled by 1/sqrt(d_head)."""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, E = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            # (B, T, E) -> (B, n_heads, T, d_head): the last axis splits as (n_heads, d_head).
            return t.view(B, T, self.n_heads, self.d_head).transpose(1, 2)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.d_head), dim=-1)
        heads = (weights @ v).transpose(1, 2).reshape(B, T, E)  # back to (B, T, n_heads, d_head)
        return self.out_proj(heads)

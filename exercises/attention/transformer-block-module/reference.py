"""Reference for transformer-block-module: a pre-norm Transformer block (no mask, no dropout)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadAttention(nn.Module):
    """Self-attention as in mha-module: q_proj, k_proj, v_proj, out_proj, each nn.Linear."""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, E = x.shape
        d = E // self.n_heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(B, T, self.n_heads, d).transpose(1, 2)  # (B, n_heads, T, d)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1)
        return self.out_proj((weights @ v).transpose(1, 2).reshape(B, T, E))


class TransformerBlock(nn.Module):
    """h = x + attn(ln1(x)); out = h + fc2(gelu(fc1(ln2(h)))), GELU the exact one (erf)."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, n_heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x + self.attn(self.ln1(x))
        return h + self.fc2(F.gelu(self.fc1(self.ln2(h))))

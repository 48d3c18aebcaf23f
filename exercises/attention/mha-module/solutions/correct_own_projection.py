import math

import torch
from torch import nn


class Projection(nn.Module):
    """y = x W^T + b with W of shape (out, in), as nn.Linear; parameters weight and bias."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) / math.sqrt(n_in))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.q_proj = Projection(d_model, d_model)
        self.k_proj = Projection(d_model, d_model)
        self.v_proj = Projection(d_model, d_model)
        self.out_proj = Projection(d_model, d_model)

    def heads(self, t):
        B, T, _ = t.shape
        return t.reshape(B, T, self.n_heads, self.d_head).permute(0, 2, 1, 3)

    def forward(self, x):
        B, T, E = x.shape
        q, k, v = (self.heads(p(x)) for p in (self.q_proj, self.k_proj, self.v_proj))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head)
        scores = scores - scores.amax(dim=-1, keepdim=True)
        weights = scores.exp() / scores.exp().sum(dim=-1, keepdim=True)
        merged = (weights @ v).permute(0, 2, 1, 3).reshape(B, T, E)
        return self.out_proj(merged)

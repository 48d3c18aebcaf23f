import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """One fused projection for q, k and v: qkv_proj.weight is (3 d_model, d_model)."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h = n_heads
        self.qkv_proj = nn.Linear(d_model, 3 * d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x):
        B, T, E = x.shape
        d = E // self.h
        q, k, v = self.qkv_proj(x).chunk(3, dim=-1)
        q, k, v = (t.reshape(B, T, self.h, d) for t in (q, k, v))
        scores = torch.einsum("bthd,bshd->bhts", q, k) * d**-0.5
        p = scores.exp() / scores.exp().sum(dim=-1, keepdim=True)
        heads = torch.einsum("bhts,bshd->bthd", p, v).reshape(B, T, E)
        return self.out_proj(heads)

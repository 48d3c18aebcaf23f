import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x):
        d = x.shape[-1] // self.n_heads
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        heads = []
        for h in range(self.n_heads):
            cols = slice(h * d, (h + 1) * d)
            scores = q[..., cols] @ k[..., cols].transpose(1, 2) / math.sqrt(d)
            heads.append(torch.softmax(scores, dim=-1) @ v[..., cols])
        return self.out_proj(torch.cat(heads, dim=-1))

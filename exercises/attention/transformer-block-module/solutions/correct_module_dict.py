import torch
import torch.nn.functional as F
from torch import nn


class TransformerBlock(nn.Module):
    """The attention's projections in an nn.ModuleDict: their names are attn.q_proj.weight..."""

    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.n_heads = n_heads
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.ModuleDict(
            {
                name: nn.Linear(d_model, d_model)
                for name in ("q_proj", "k_proj", "v_proj", "out_proj")
            }
        )
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)

    def attention(self, x):
        B, T, E = x.shape
        d = E // self.n_heads
        q, k, v = (
            self.attn[p](x).view(B, T, self.n_heads, d) for p in ("q_proj", "k_proj", "v_proj")
        )
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / d**0.5
        heads = torch.einsum("bhqk,bkhd->bqhd", scores.softmax(dim=-1), v)
        return self.attn["out_proj"](heads.reshape(B, T, E))

    def forward(self, x):
        h = x + self.attention(self.ln1(x))
        return h + self.fc2(F.gelu(self.fc1(self.ln2(h))))

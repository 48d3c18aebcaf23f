import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """Multi-head self-attention.

    MultiHeadAttention(d_model, n_heads); n_heads divides d_model, d_head = d_model // n_heads.
    Parameters (nn.Linear(d_model, d_model) each, with bias):
        q_proj, k_proj, v_proj, out_proj
    or one fused qkv_proj = nn.Linear(d_model, 3 * d_model) for q, k and v, in that order.

    forward(x): x of shape (B, T, d_model) -> (B, T, d_model), no mask.
    """

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x):
        # 1. project x to q, k, v; 2. split each into heads; 3. attention per head;
        # 4. merge the heads; 5. the output projection.
        return torch.zeros_like(x)

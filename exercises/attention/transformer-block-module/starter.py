from torch import nn


class MultiHeadAttention(nn.Module):
    """Your multi-head self-attention (mha-module): q_proj, k_proj, v_proj, out_proj."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x):
        return x


class TransformerBlock(nn.Module):
    """A pre-norm Transformer block.

    TransformerBlock(d_model, n_heads, d_ff). Parameters (their names matter):
        ln1, ln2: nn.LayerNorm(d_model)             ln1.weight, ln1.bias, ln2.weight, ln2.bias
        attn: MultiHeadAttention(d_model, n_heads)  attn.q_proj.weight, ... attn.out_proj.bias
        fc1: nn.Linear(d_model, d_ff), fc2: nn.Linear(d_ff, d_model)

    forward(x): x of shape (B, T, d_model) -> (B, T, d_model):
        h = x + attn(ln1(x)); out = h + fc2(gelu(fc1(ln2(h)))), GELU the exact one.
    """

    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, n_heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return x

"""Reference for transformer-block-forward: a pre-norm decoder block (causal multi-head attention
and a GELU MLP, each behind a LayerNorm and inside a residual connection)."""

from __future__ import annotations

import math

import torch

EPS = 1e-5


def _layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    mean = x.mean(dim=-1, keepdim=True)
    # The biased variance (divide by E), as LayerNorm defines it; torch.var defaults to E - 1.
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + EPS) * gamma + beta


def _gelu(x: torch.Tensor) -> torch.Tensor:
    # The exact GELU, x * Phi(x), not the tanh approximation.
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def _causal_attention(
    x: torch.Tensor,
    wq: torch.Tensor,
    wk: torch.Tensor,
    wv: torch.Tensor,
    wo: torch.Tensor,
    num_heads: int,
) -> torch.Tensor:
    B, T, E = x.shape
    d = E // num_heads

    def heads(w: torch.Tensor) -> torch.Tensor:
        # (B, T, E) -> (B, T, H, d) -> (B, H, T, d): head h gets columns h*d .. (h+1)*d - 1.
        return (x @ w).reshape(B, T, num_heads, d).transpose(1, 2)

    q, k, v = heads(wq), heads(wk), heads(wv)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (B, H, T, T)
    future = torch.ones(T, T, dtype=torch.bool).triu(1)  # key j > query t
    scores = scores.masked_fill(future, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v  # (B, H, T, d)
    return out.transpose(1, 2).reshape(B, T, E) @ wo


def transformer_block(
    x: torch.Tensor,
    ln1_gamma: torch.Tensor,
    ln1_beta: torch.Tensor,
    wq: torch.Tensor,
    wk: torch.Tensor,
    wv: torch.Tensor,
    wo: torch.Tensor,
    ln2_gamma: torch.Tensor,
    ln2_beta: torch.Tensor,
    w1: torch.Tensor,
    b1: torch.Tensor,
    w2: torch.Tensor,
    b2: torch.Tensor,
    num_heads: int,
) -> torch.Tensor:
    """y = h + mlp(LN2(h)), h = x + attn(LN1(x)); x (B, T, E), float64. Returns (B, T, E)."""
    # Pre-norm: each sublayer reads a normalised copy, and its output is added to the
    # un-normalised residual stream, which therefore carries x through unchanged plus updates.
    h = x + _causal_attention(_layer_norm(x, ln1_gamma, ln1_beta), wq, wk, wv, wo, num_heads)
    return h + _gelu(_layer_norm(h, ln2_gamma, ln2_beta) @ w1 + b1) @ w2 + b2

"""Reference for sdpa-torch: softmax(q kᵀ / sqrt(d)) v with torch tensors, an optional bool mask."""

from __future__ import annotations

import math

import torch


def scaled_dot_product_attention_torch(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """q (B, Tq, d), k (B, Tk, d), v (B, Tk, dv), float64; mask None or bool broadcastable to
    (B, Tq, Tk), True = may attend (every query keeps a key). Returns (B, Tq, dv), float64."""
    d = q.shape[-1]
    # transpose(-2, -1) swaps only the last two axes; k.T would reverse all three.
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (B, Tq, Tk)
    if mask is not None:
        # masked_fill fills where its mask is True, and True here means "may attend": fill the
        # complement. Broadcasting covers the (Tq, Tk), (1, Tq, Tk) and (B, 1, Tk) layouts.
        scores = scores.masked_fill(~mask, float("-inf"))
    # torch.softmax subtracts each row's maximum itself, so scores in the thousands stay finite.
    return torch.softmax(scores, dim=-1) @ v

"""Reference for grouped-query-attention: H query heads share G key/value groups, H // G each."""

from __future__ import annotations

import math

import torch


def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """q (B, H, Tq, d), k (B, G, Tk, d), v (B, G, Tk, dv), float64, G divides H. Query head h
    attends with group h // (H // G): softmax(q_h k_gᵀ / sqrt(d)) v_g, the softmax over the
    keys, no mask. Returns (B, H, Tq, dv)."""
    H, G = q.shape[1], k.shape[1]
    per_group = H // G
    # repeat_interleave copies each group per_group times *in place*: groups [0, 1] become
    # heads [0, 0, 1, 1], so consecutive query heads share a group (the layout of Llama-style
    # GQA). Tensor.repeat would tile them, [0, 1, 0, 1].
    k = torch.repeat_interleave(k, per_group, dim=1)  # (B, H, Tk, d)
    v = torch.repeat_interleave(v, per_group, dim=1)  # (B, H, Tk, dv)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    # torch.softmax subtracts the row maximum itself: scores in the thousands stay finite.
    return torch.softmax(scores, dim=-1) @ v

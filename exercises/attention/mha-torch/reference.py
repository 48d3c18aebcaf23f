"""Reference for mha-torch: multi-head (cross-)attention without biases, torch tensors."""

from __future__ import annotations

import math

import torch


def multi_head_attention_torch(
    x_q: torch.Tensor,
    x_kv: torch.Tensor,
    wq: torch.Tensor,
    wk: torch.Tensor,
    wv: torch.Tensor,
    wo: torch.Tensor,
    num_heads: int,
) -> torch.Tensor:
    """x_q (B, T, E), x_kv (B, S, E), each w (E, E), projections x @ w. Head h uses columns
    h*d .. (h+1)*d - 1 (d = E / num_heads), scaled by 1/sqrt(d); the head outputs are
    concatenated in head order and projected by wo. Returns (B, T, E), float64."""
    B, T, E = x_q.shape
    S = x_kv.shape[1]
    d = E // num_heads

    def split(x: torch.Tensor, length: int) -> torch.Tensor:
        # (B, L, E) -> (B, L, H, d): the last dim splits as (H, d), so head h gets the contiguous
        # columns h*d .. (h+1)*d - 1; then the heads become a batch dim, (B, H, L, d).
        return x.view(B, length, num_heads, d).transpose(1, 2)

    q = split(x_q @ wq, T)
    k = split(x_kv @ wk, S)
    v = split(x_kv @ wv, S)
    # softmax over the keys (the last dim); torch.softmax is stable for large scores.
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1)  # (B, H, T, S)
    heads = weights @ v  # (B, H, T, d)
    # Back to (B, T, H, d) before merging. The transpose makes the tensor non-contiguous, so
    # .view would fail: .reshape copies when it must.
    concat = heads.transpose(1, 2).reshape(B, T, E)
    return concat @ wo

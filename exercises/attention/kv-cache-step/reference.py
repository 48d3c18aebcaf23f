"""Reference for kv-cache-step: append the new position to the caches, attend over all of them."""

from __future__ import annotations

import math

import torch


def kv_cache_step(
    q: torch.Tensor,
    k_new: torch.Tensor,
    v_new: torch.Tensor,
    k_cache: torch.Tensor,
    v_cache: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """q, k_new (B, H, d), v_new (B, H, dv): the new token, per head; k_cache (B, H, T, d) and
    v_cache (B, H, T, dv): the T earlier positions. Returns (out (B, H, dv), the caches with the
    new position appended at index T: (B, H, T + 1, d) and (B, H, T + 1, dv))."""
    # The new position goes last: position t of the sequence stays at index t of the cache.
    k_cache = torch.cat((k_cache, k_new.unsqueeze(2)), dim=2)
    v_cache = torch.cat((v_cache, v_new.unsqueeze(2)), dim=2)
    # The newest token is the last one, so causality lets it see every cached position and
    # itself: no mask is needed in a decoding step.
    scores = (k_cache @ q.unsqueeze(-1)).squeeze(-1) / math.sqrt(q.shape[-1])  # (B, H, T + 1)
    weights = torch.softmax(scores, dim=-1)  # subtracts the maximum: large scores stay finite
    out = (weights.unsqueeze(-2) @ v_cache).squeeze(-2)  # (B, H, dv)
    return out, k_cache, v_cache

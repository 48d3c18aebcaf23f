"""Reference for multi-query-attention: H query heads, one key head and one value head shared by
all of them, causal self-attention."""

from __future__ import annotations

import numpy as np


def multi_query_attention(
    x: np.ndarray,
    wq: np.ndarray,
    wk: np.ndarray,
    wv: np.ndarray,
    wo: np.ndarray,
    num_heads: int,
) -> np.ndarray:
    """x (B, T, E); wq (E, E); wk, wv (E, d) with d = E / num_heads; wo (E, E); projections x @ w,
    no biases. Query head h uses columns h*d .. (h+1)*d - 1 of x @ wq; every head attends to the
    same keys x @ wk and values x @ wv, causally (position t sees positions <= t), with scale
    1/sqrt(d). The head outputs are concatenated in head order and projected by wo: (B, T, E)."""
    B, T, E = x.shape
    d = E // num_heads
    # (B, T, E) -> (B, T, H, d) -> (B, H, T, d): the last axis splits as (H, d), so head h gets
    # the contiguous block of columns h*d .. (h+1)*d - 1.
    q = (x @ wq).reshape(B, T, num_heads, d).transpose(0, 2, 1, 3)
    k = x @ wk  # (B, T, d): one key head...
    v = x @ wv  # ...and one value head, for all the query heads
    # k[:, None] has a head axis of size 1: broadcasting shares it with every query head, which
    # is the point of MQA (the cache of keys and values is H times smaller).
    scores = q @ k[:, None].transpose(0, 1, 3, 2) / np.sqrt(d)  # (B, H, T, T)
    causal = np.tril(np.ones((T, T), dtype=bool))  # row t allows columns 0 .. t
    scores = np.where(causal, scores, -np.inf)
    # Each row keeps its diagonal, so its maximum is finite and exp() cannot overflow.
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    heads = weights @ v[:, None]  # (B, H, T, d)
    # Back to (B, T, H, d) before merging, so each row holds head 0's d values, then head 1's...
    return heads.transpose(0, 2, 1, 3).reshape(B, T, E) @ wo

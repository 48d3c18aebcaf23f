"""Reference for relative-position-bias: scores + a learned bias per head and clipped distance."""

from __future__ import annotations

import numpy as np


def attention_with_relative_bias(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, bias_table: np.ndarray, max_distance: int
) -> np.ndarray:
    """q, k (B, H, T, d), v (B, H, T, dv); bias_table (H, 2K + 1), K = max_distance, column r + K
    holding the bias of the relative distance r = j - i in [-K, K] (j key, i query), distances
    beyond K clipped. softmax(q kᵀ / sqrt(d) + bias) v over the keys. Returns (B, H, T, dv)."""
    T, d = q.shape[-2], q.shape[-1]
    K = max_distance
    pos = np.arange(T)
    # rel[i, j] = j - i: positive for keys after the query. Clipping to [-K, K] makes every
    # key further than K share the bias of distance ±K; + K turns a distance into a column.
    rel = np.clip(pos[None, :] - pos[:, None], -K, K) + K  # (T, T), values in 0 .. 2K
    bias = bias_table[:, rel]  # (H, T, T): head h reads row h of the table
    # The bias is added after the 1/sqrt(d) scaling: it is a learned score of its own.
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d) + bias  # (B, H, T, T), bias broadcast
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v

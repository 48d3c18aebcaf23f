"""Reference for tiled-attention: softmax(q kᵀ / sqrt(d)) v over key blocks, with the online
softmax, never holding more than one block of scores."""

from __future__ import annotations

import numpy as np


def tiled_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, block_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """q (B, Tq, d), k (B, Tk, d), v (B, Tk, dv), float64; keys read in blocks of block_size.

    Returns (out, lse): out (B, Tq, dv) = softmax(q kᵀ / sqrt(d)) v (softmax over the keys) and
    lse (B, Tq) = log of the sum over the keys of exp(score). Extra memory O(B Tq block_size).
    """
    B, Tq, d = q.shape
    Tk, dv = v.shape[1], v.shape[2]
    scale = 1.0 / np.sqrt(d)
    m = np.full((B, Tq, 1), -np.inf)  # running maximum of each query's scores
    l = np.zeros((B, Tq, 1))  # running sum of exp(score - m)
    acc = np.zeros((B, Tq, dv))  # running sum of exp(score - m) * v, not yet normalised
    for start in range(0, Tk, block_size):  # the last block may be shorter
        kb = k[:, start : start + block_size]
        vb = v[:, start : start + block_size]
        s = q @ np.swapaxes(kb, -1, -2) * scale  # (B, Tq, block): the only scores held
        m_new = np.maximum(m, s.max(axis=-1, keepdims=True))
        # Both running sums were relative to the old maximum: one factor exp(m - m_new) <= 1
        # rescales them (0 for the first block, where m = -inf).
        alpha = np.exp(m - m_new)
        p = np.exp(s - m_new)
        l = l * alpha + p.sum(axis=-1, keepdims=True)
        acc = acc * alpha + p @ vb
        m = m_new
    # Normalising once at the end divides by the full sum: the same as the softmax of the row.
    out = acc / l
    lse = (m + np.log(l))[..., 0]  # log sum exp(s) = m + log sum exp(s - m)
    return out, lse

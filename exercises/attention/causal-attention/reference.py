import numpy as np


def causal_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Causal self-attention: softmax(q kᵀ / sqrt(d) + causal mask) v.

    q, k (B, T, d), v (B, T, dv). Query t attends to keys 0 .. t (itself included).
    Returns (B, T, dv).
    """
    T, d = q.shape[1], q.shape[2]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d)  # (B, T, T)
    # Lower triangle including the diagonal: key j is visible to query t iff j <= t.
    allowed = np.tril(np.ones((T, T), dtype=bool))
    scores = np.where(allowed, scores, -np.inf)
    # Row maxima are finite (the diagonal is always allowed), so this keeps exp() <= 1.
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v

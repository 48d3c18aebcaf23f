def causal_attention(q, k, v):
    """Causal self-attention: position t attends only to positions 0..t (itself included).

    q: (B, T, d), k: (B, T, d), v: (B, T, dv).
    Returns out of shape (B, T, dv): softmax(q kᵀ / sqrt(d), future keys blocked) v.
    Must stay finite for very large scores.
    """
    raise NotImplementedError

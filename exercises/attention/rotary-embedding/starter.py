def rotary_embedding(q, k, positions, base):
    """Rotary position embedding on adjacent pairs of dimensions (2i, 2i+1).

    q: (B, Hq, T, d), k: (B, Hk, T, d), float64, d even.
    positions: (T,) int64, the position of each of the T tokens.
    base: float, the frequency base (10000 in the RoFormer paper).
    Pair i of the token at position p turns by the angle p * base ** (-2i / d).
    Returns (q_rot, k_rot) with the shapes of q and k.
    """
    return q.copy(), k.copy()

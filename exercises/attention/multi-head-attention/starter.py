def multi_head_attention(x_q, x_kv, wq, wk, wv, wo, num_heads):
    """Multi-head attention (no biases).

    x_q:  (B, T, E) the sequence that asks (queries)
    x_kv: (B, S, E) the sequence that is looked at (keys and values)
    wq, wk, wv, wo: (E, E); projections are x @ w
    num_heads: int >= 2, E divisible by it; d = E // num_heads
    Head h uses columns h*d .. (h+1)*d - 1 of x_q @ wq, x_kv @ wk, x_kv @ wv and scales its
    scores by 1/sqrt(d). Heads are concatenated in head order, then multiplied by wo.
    Returns out of shape (B, T, E).
    """
    raise NotImplementedError

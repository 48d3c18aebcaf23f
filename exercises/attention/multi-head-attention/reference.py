import numpy as np


def _softmax_last(s: np.ndarray) -> np.ndarray:
    # Max-subtraction: the softmax is unchanged and exp() cannot overflow.
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def multi_head_attention(
    x_q: np.ndarray,
    x_kv: np.ndarray,
    wq: np.ndarray,
    wk: np.ndarray,
    wv: np.ndarray,
    wo: np.ndarray,
    num_heads: int,
) -> np.ndarray:
    """Multi-head (cross-)attention without biases.

    x_q (B, T, E), x_kv (B, S, E), each w (E, E), projections x @ w. Head h uses columns
    h*d .. (h+1)*d - 1 of the projections (d = E / num_heads), scaled by 1/sqrt(d); the head
    outputs are concatenated in head order and projected by wo. Returns (B, T, E).
    """
    B, T, E = x_q.shape
    S = x_kv.shape[1]
    d = E // num_heads

    def split(x: np.ndarray, length: int) -> np.ndarray:
        # (B, L, E) -> (B, L, H, d): the last axis splits as (H, d), so head h gets the
        # contiguous block of columns h*d .. (h+1)*d - 1. Then heads become a batch axis.
        return x.reshape(B, length, num_heads, d).transpose(0, 2, 1, 3)  # (B, H, L, d)

    q = split(x_q @ wq, T)
    k = split(x_kv @ wk, S)
    v = split(x_kv @ wv, S)
    weights = _softmax_last(q @ k.transpose(0, 1, 3, 2) / np.sqrt(d))  # (B, H, T, S)
    heads = weights @ v  # (B, H, T, d)
    # Back to (B, T, H, d) before merging, so each row holds head 0's d values, then head 1's...
    concat = heads.transpose(0, 2, 1, 3).reshape(B, T, E)
    return concat @ wo

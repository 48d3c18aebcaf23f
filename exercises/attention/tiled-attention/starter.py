import numpy as np


def tiled_attention(q, k, v, block_size):
    """softmax(q kᵀ / sqrt(d)) v, reading the keys (and values) block by block.

    q: (B, Tq, d), k: (B, Tk, d), v: (B, Tk, dv), float64; block_size: int >= 1.
    Never build the (B, Tq, Tk) score matrix: at most one block of scores, (B, Tq, block_size).
    Returns (out, lse): out (B, Tq, dv), lse (B, Tq) = log(sum over the keys of exp(score)).
    """
    B, Tq, d = q.shape
    m = np.full((B, Tq, 1), -np.inf)  # running maximum
    l = np.zeros((B, Tq, 1))  # running sum of exp(score - m)
    acc = np.zeros((B, Tq, v.shape[2]))  # running sum of exp(score - m) * v
    for start in range(0, k.shape[1], block_size):
        kb = k[:, start : start + block_size]  # (B, block, d)
        vb = v[:, start : start + block_size]  # (B, block, dv)
        # TODO: this block's scores q kbᵀ / sqrt(d), then update m, l and acc (using vb)
        del kb, vb
    return acc / np.maximum(l, 1.0), m[..., 0]  # TODO: normalise; lse = m + log(l)

import numpy as np


def tiled_attention(q, k, v, block_size):
    # Pass 1: each query's maximum and sum over the key blocks. Pass 2: the normalised weights of
    # each block, applied to its values. Twice the score computations, the same small memory.
    B, Tq, d = q.shape
    Tk = k.shape[1]
    blocks = [(s, min(s + block_size, Tk)) for s in range(0, Tk, block_size)]

    def scores(a, b):
        return q @ k[:, a:b].transpose(0, 2, 1) / np.sqrt(d)

    m = np.full((B, Tq), -np.inf)
    for a, b in blocks:
        m = np.maximum(m, scores(a, b).max(axis=2))
    total = np.zeros((B, Tq))
    for a, b in blocks:
        total += np.exp(scores(a, b) - m[..., None]).sum(axis=2)
    lse = m + np.log(total)
    out = np.zeros((B, Tq, v.shape[2]))
    for a, b in blocks:
        out += np.exp(scores(a, b) - lse[..., None]) @ v[:, a:b]
    return out, lse

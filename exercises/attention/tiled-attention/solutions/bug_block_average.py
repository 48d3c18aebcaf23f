import numpy as np


def tiled_attention(q, k, v, block_size):
    B, Tq, d = q.shape
    outs, lses = [], []
    for start in range(0, k.shape[1], block_size):
        s = q @ k[:, start : start + block_size].transpose(0, 2, 1) / np.sqrt(d)
        m = s.max(axis=-1, keepdims=True)
        e = np.exp(s - m)
        total = e.sum(axis=-1, keepdims=True)
        outs.append((e / total) @ v[:, start : start + block_size])  # bug: a softmax per block
        lses.append(m + np.log(total))
    lse = np.logaddexp.reduce(np.concatenate(lses, axis=-1), axis=-1)
    return np.mean(outs, axis=0), lse

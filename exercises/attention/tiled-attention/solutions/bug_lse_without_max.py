import numpy as np


def tiled_attention(q, k, v, block_size):
    B, Tq, d = q.shape
    m = np.full((B, Tq, 1), -np.inf)
    l = np.zeros((B, Tq, 1))
    acc = np.zeros((B, Tq, v.shape[2]))
    for start in range(0, k.shape[1], block_size):
        s = q @ k[:, start : start + block_size].transpose(0, 2, 1) / np.sqrt(d)
        m_new = np.maximum(m, s.max(axis=-1, keepdims=True))
        p = np.exp(s - m_new)
        alpha = np.exp(m - m_new)
        l = l * alpha + p.sum(axis=-1, keepdims=True)
        acc = acc * alpha + p @ v[:, start : start + block_size]
        m = m_new
    return acc / l, np.log(l)[..., 0]  # bug: log(l) is relative to m

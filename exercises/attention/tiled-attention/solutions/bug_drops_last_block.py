import numpy as np


def tiled_attention(q, k, v, block_size):
    B, Tq, d = q.shape
    m = np.full((B, Tq, 1), -np.inf)
    l = np.zeros((B, Tq, 1))
    acc = np.zeros((B, Tq, v.shape[2]))
    for j in range(k.shape[1] // block_size):  # bug: the shorter last block is skipped
        kb = k[:, j * block_size : (j + 1) * block_size]
        vb = v[:, j * block_size : (j + 1) * block_size]
        s = q @ kb.transpose(0, 2, 1) / np.sqrt(d)
        m_new = np.maximum(m, s.max(axis=-1, keepdims=True))
        p = np.exp(s - m_new)
        alpha = np.exp(m - m_new)
        l = l * alpha + p.sum(axis=-1, keepdims=True)
        acc = acc * alpha + p @ vb
        m = m_new
    return acc / l, (m + np.log(l))[..., 0]

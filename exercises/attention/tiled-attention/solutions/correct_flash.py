import numpy as np


def tiled_attention(q, k, v, block_size):
    B, Tq, d = q.shape
    Tk = k.shape[1]
    m = np.full((B, Tq, 1), -np.inf)
    l = np.zeros((B, Tq, 1))
    acc = np.zeros((B, Tq, v.shape[2]))
    for start in range(0, Tk, block_size):
        s = np.einsum("bqd,bkd->bqk", q, k[:, start : start + block_size]) / np.sqrt(d)
        m_new = np.maximum(m, s.max(axis=2, keepdims=True))
        p = np.exp(s - m_new)
        alpha = np.exp(m - m_new)
        l = alpha * l + p.sum(axis=2, keepdims=True)
        acc = alpha * acc + np.einsum("bqk,bkv->bqv", p, v[:, start : start + block_size])
        m = m_new
    return acc / l, (m + np.log(l)).squeeze(-1)

import math

import numpy as np


def tiled_attention(q, k, v, block_size):
    # One batch element at a time, keeping the output normalised after every block (the first
    # FlashAttention paper's form): o <- (l_old e^(m_old - m_new) o + P_block V_block) / l_new.
    B, Tq, d = q.shape
    Tk, dv = v.shape[1], v.shape[2]
    out = np.empty((B, Tq, dv))
    lse = np.empty((B, Tq))
    for b in range(B):
        o = np.zeros((Tq, dv))
        m = np.full(Tq, -math.inf)
        l = np.zeros(Tq)
        for start in range(0, Tk, block_size):
            kb, vb = k[b, start : start + block_size], v[b, start : start + block_size]
            s = (q[b] @ kb.T) / math.sqrt(d)
            m_new = np.maximum(m, s.max(axis=1))
            p = np.exp(s - m_new[:, None])
            l_new = l * np.exp(m - m_new) + p.sum(axis=1)
            o = ((l * np.exp(m - m_new))[:, None] * o + p @ vb) / l_new[:, None]
            m, l = m_new, l_new
        out[b] = o
        lse[b] = m + np.log(l)
    return out, lse

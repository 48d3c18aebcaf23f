import numpy as np


def online_softmax(x, block_size):
    R, N = x.shape
    ms, ls = [], []
    m = np.zeros(R)  # bug: the maximum of nothing is -inf, not 0
    l = np.zeros(R)
    for start in range(0, N, block_size):
        blk = x[:, start : start + block_size]
        m_new = np.maximum(m, blk.max(axis=1))
        l = l * np.exp(m - m_new) + np.exp(blk - m_new[:, None]).sum(axis=1)
        m = m_new
        ms.append(m)
        ls.append(l)
    return np.exp(x - m[:, None]) / l[:, None], np.stack(ms, axis=1), np.stack(ls, axis=1)

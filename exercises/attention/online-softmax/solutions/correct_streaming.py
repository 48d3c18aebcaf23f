import numpy as np


def online_softmax(x, block_size):
    R, N = x.shape
    ms, ls = [], []
    m = np.full((R, 1), -np.inf)
    l = np.zeros((R, 1))
    for start in range(0, N, block_size):
        blk = x[:, start : start + block_size]
        m_new = np.maximum(m, blk.max(axis=1, keepdims=True))
        l = l * np.exp(m - m_new) + np.sum(np.exp(blk - m_new), axis=1, keepdims=True)
        m = m_new
        ms.append(m)
        ls.append(l)
    return np.exp(x - m) / l, np.hstack(ms), np.hstack(ls)

import numpy as np


def online_softmax(x, block_size):
    R, N = x.shape
    n_blocks = N // block_size  # bug: the shorter last block is not counted
    m = np.full(R, -np.inf)
    l = np.zeros(R)
    m_hist = np.zeros((R, n_blocks))
    l_hist = np.zeros((R, n_blocks))
    for j in range(n_blocks):
        blk = x[:, j * block_size : (j + 1) * block_size]
        m_new = np.maximum(m, blk.max(axis=1))
        l = l * np.exp(m - m_new) + np.exp(blk - m_new[:, None]).sum(axis=1)
        m = m_new
        m_hist[:, j], l_hist[:, j] = m, l
    return np.exp(x - m[:, None]) / l[:, None], m_hist, l_hist

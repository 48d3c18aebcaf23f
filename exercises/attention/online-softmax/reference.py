"""Reference for online-softmax: the softmax of each row, computed one block at a time."""

from __future__ import annotations

import numpy as np


def online_softmax(x: np.ndarray, block_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Softmax over the last axis of x (R, N), reading it in blocks of `block_size` columns.

    Returns (p, m, l): p (R, N) the softmax; m (R, n_blocks) and l (R, n_blocks) the running
    maximum and running sum after each block, n_blocks = ceil(N / block_size), with
    l[:, j] = sum over the columns read so far of exp(x - m[:, j]).
    """
    R, N = x.shape
    n_blocks = -(-N // block_size)  # ceil: the last block may be shorter
    m_hist = np.empty((R, n_blocks))
    l_hist = np.empty((R, n_blocks))
    # -inf and 0 are the statistics of an empty prefix: the first update then needs no special
    # case, since exp(-inf - m_new) = 0 removes the (empty) old sum exactly.
    m = np.full(R, -np.inf)
    l = np.zeros(R)
    for j in range(n_blocks):
        block = x[:, j * block_size : (j + 1) * block_size]
        m_new = np.maximum(m, block.max(axis=1))
        # The old sum is relative to the old maximum: exp(x - m) = exp(x - m_new) * exp(m_new - m),
        # so it must be scaled by exp(m - m_new) <= 1. Every exponent stays <= 0: no overflow.
        l = l * np.exp(m - m_new) + np.exp(block - m_new[:, None]).sum(axis=1)
        m = m_new
        m_hist[:, j] = m
        l_hist[:, j] = l
    # After the last block, m is the row's maximum and l the sum of exp(x - m) over the row.
    p = np.exp(x - m[:, None]) / l[:, None]
    return p, m_hist, l_hist

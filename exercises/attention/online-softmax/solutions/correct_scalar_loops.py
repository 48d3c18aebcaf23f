import math

import numpy as np


def online_softmax(x, block_size):
    R, N = x.shape
    n_blocks = (N + block_size - 1) // block_size
    p = np.zeros((R, N))
    m_out = np.zeros((R, n_blocks))
    l_out = np.zeros((R, n_blocks))
    for r in range(R):
        m, l = -math.inf, 0.0
        for j in range(n_blocks):
            for i in range(j * block_size, min((j + 1) * block_size, N)):
                v = float(x[r, i])
                if v > m:
                    # a new maximum: the old sum was relative to the old one
                    l = l * math.exp(m - v) + 1.0
                    m = v
                else:
                    l += math.exp(v - m)
            m_out[r, j] = m
            l_out[r, j] = l
        for i in range(N):
            p[r, i] = math.exp(float(x[r, i]) - m) / l
    return p, m_out, l_out

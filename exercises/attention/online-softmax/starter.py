import numpy as np


def online_softmax(x, block_size):
    """Softmax over the last axis of x, read one block of columns at a time.

    x:          (R, N) float64, R independent rows
    block_size: int >= 1; the blocks are columns [0, b), [b, 2b), ...; the last may be shorter
    Returns (p, m, l):
      p: (R, N) the softmax of each row
      m: (R, n_blocks) running maximum after each block   (n_blocks = ceil(N / block_size))
      l: (R, n_blocks) running sum of exp(x - m[:, j]) over the columns read so far
    """
    R, N = x.shape
    n_blocks = -(-N // block_size)
    m = np.full((R, n_blocks), -np.inf)
    l = np.zeros((R, n_blocks))
    for j in range(n_blocks):
        block = x[:, j * block_size : (j + 1) * block_size]
        m[:, j] = block.max(axis=1)  # TODO: the running maximum, not this block's
        # TODO: the running sum l[:, j], rescaled when the maximum grows
    p = np.zeros_like(x)  # TODO
    return p, m, l

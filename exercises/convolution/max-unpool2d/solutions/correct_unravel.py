# Correct: np.unravel_index turns the flat indices into (row, column) arrays; the (n, c) of each
# value comes from broadcasting aranges.
import numpy as np


def max_unpool2d(y, indices, pool_h, pool_w, stride, H, W):
    N, C = y.shape[:2]
    rows, cols = np.unravel_index(indices, (H, W))
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, :, None, None]
    out = np.zeros((N, C, H, W), dtype=y.dtype)
    out[n, c, rows, cols] = y
    return out

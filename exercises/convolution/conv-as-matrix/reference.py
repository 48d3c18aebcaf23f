"""Reference for conv-as-matrix: the matrix of a valid 2D cross-correlation."""

from __future__ import annotations

import numpy as np


def conv_matrix(w: np.ndarray, H: int, W: int) -> np.ndarray:
    """M of shape (H'*W', H*W), H' = H - k1 + 1, W' = W - k2 + 1, such that for any x (H, W)

        (M @ x.ravel()).reshape(H', W')[i, j] = sum_{a, b} w[a, b] * x[i + a, j + b]

    (stride 1, no padding, no kernel flip; row-major numbering of pixels and outputs).
    """
    k1, k2 = w.shape
    Ho, Wo = H - k1 + 1, W - k2 + 1
    M = np.zeros((Ho * Wo, H * W), dtype=np.float64)
    # Output (i, j) is row i*Wo + j; it reads pixel (i + a, j + b), which is column
    # (i + a)*W + (j + b) of x.ravel(). For a fixed kernel entry (a, b) every output reads one
    # pixel, so one fancy-indexed assignment per kernel entry fills all rows at once.
    i, j = np.divmod(np.arange(Ho * Wo), Wo)
    rows = np.arange(Ho * Wo)
    for a in range(k1):
        for b in range(k2):
            M[rows, (i + a) * W + (j + b)] = w[a, b]
    return M

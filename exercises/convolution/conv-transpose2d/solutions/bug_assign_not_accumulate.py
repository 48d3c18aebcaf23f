# Bug: each footprint overwrites the output (=) instead of adding to it (+=).
import numpy as np


def conv_transpose2d(x, w, stride):
    N, Cin, H, W = x.shape
    Cout, k = w.shape[1], w.shape[2]
    out = np.zeros((N, Cout, (H - 1) * stride + k, (W - 1) * stride + k))
    for i in range(H):
        for j in range(W):
            out[:, :, i * stride : i * stride + k, j * stride : j * stride + k] = np.tensordot(
                x[:, :, i, j], w, axes=1
            )
    return out

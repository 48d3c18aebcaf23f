# Bug: output size H*stride + k - 1 instead of (H - 1)*stride + k (equal only for stride 1);
# the extra rows and columns stay zero.
import numpy as np


def conv_transpose2d(x, w, stride):
    N, Cin, H, W = x.shape
    Cout, k = w.shape[1], w.shape[2]
    out = np.zeros((N, Cout, H * stride + k - 1, W * stride + k - 1))
    for i in range(H):
        for j in range(W):
            out[:, :, i * stride : i * stride + k, j * stride : j * stride + k] += np.tensordot(
                x[:, :, i, j], w, axes=1
            )
    return out

# Bug: the kernel is flipped (mixing the scatter form with the "flipped kernel" conv identity).
import numpy as np


def conv_transpose2d(x, w, stride):
    N, Cin, H, W = x.shape
    Cout, k = w.shape[1], w.shape[2]
    out = np.zeros((N, Cout, (H - 1) * stride + k, (W - 1) * stride + k))
    wf = w[:, :, ::-1, ::-1]
    for i in range(H):
        for j in range(W):
            out[:, :, i * stride : i * stride + k, j * stride : j * stride + k] += np.einsum(
                "nc,cdhw->ndhw", x[:, :, i, j], wf
            )
    return out

# Bug: the kernel's two spatial axes are swapped (w[ci, co, kw, kh] used at offset (kh, kw)).
import numpy as np


def conv_transpose2d(x, w, stride):
    N, Cin, H, W = x.shape
    Cout, k = w.shape[1], w.shape[2]
    out = np.zeros((N, Cout, (H - 1) * stride + k, (W - 1) * stride + k))
    for n in range(N):
        for ci in range(Cin):
            for co in range(Cout):
                for i in range(H):
                    for j in range(W):
                        out[n, co, i * stride : i * stride + k, j * stride : j * stride + k] += (
                            x[n, ci, i, j] * w[ci, co].T
                        )
    return out

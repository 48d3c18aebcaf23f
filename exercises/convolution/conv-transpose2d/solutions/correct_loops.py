# Correct: the scatter definition, one scalar product at a time.
import numpy as np


def conv_transpose2d(x, w, stride):
    N, Cin, H, W = x.shape
    _, Cout, k, _ = w.shape
    out = np.zeros((N, Cout, (H - 1) * stride + k, (W - 1) * stride + k))
    for n in range(N):
        for ci in range(Cin):
            for co in range(Cout):
                for i in range(H):
                    for j in range(W):
                        for kh in range(k):
                            for kw in range(k):
                                out[n, co, i * stride + kh, j * stride + kw] += (
                                    x[n, ci, i, j] * w[ci, co, kh, kw]
                                )
    return out

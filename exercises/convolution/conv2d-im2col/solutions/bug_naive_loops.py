# Too slow: the definition with six nested Python loops, one multiply-add at a time.
import numpy as np


def conv2d_im2col(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[f]
                    for c in range(C):
                        for kh in range(HH):
                            for kw in range(WW):
                                total += (
                                    w[f, c, kh, kw] * xp[n, c, i * stride + kh, j * stride + kw]
                                )
                    out[n, f, i, j] = total
    return out

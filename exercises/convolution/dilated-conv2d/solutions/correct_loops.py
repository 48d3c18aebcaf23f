# Correct: the definition, one multiply-add at a time (fine for the small test sizes).
import numpy as np


def dilated_conv2d(x, w, b, stride, pad, dilation):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - dilation * (HH - 1) - 1) // stride + 1
    Wo = (W + 2 * pad - dilation * (WW - 1) - 1) // stride + 1
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
                                r = i * stride + kh * dilation
                                t = j * stride + kw * dilation
                                total += w[f, c, kh, kw] * xp[n, c, r, t]
                    out[n, f, i, j] = total
    return out

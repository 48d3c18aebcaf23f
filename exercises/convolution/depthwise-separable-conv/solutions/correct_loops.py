# Correct: both stages written as plain loops, the definition term by term.
import numpy as np


def depthwise_separable_conv(x, w_dw, b_dw, w_pw, b_pw, stride, pad):
    N, C, H, W = x.shape
    CM, _, HH, WW = w_dw.shape
    F = w_pw.shape[0]
    M = CM // C
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[:, :, pad : pad + H, pad : pad + W] = x
    mid = np.zeros((N, CM, Ho, Wo))
    for n in range(N):
        for k in range(CM):
            c = k // M
            for i in range(Ho):
                for j in range(Wo):
                    s = b_dw[k]
                    for a in range(HH):
                        for e in range(WW):
                            s += w_dw[k, 0, a, e] * xp[n, c, i * stride + a, j * stride + e]
                    mid[n, k, i, j] = s
    out = np.zeros((N, F, Ho, Wo))
    for f in range(F):
        out[:, f] = b_pw[f]
        for k in range(CM):
            out[:, f] += w_pw[f, k, 0, 0] * mid[:, k]
    return out

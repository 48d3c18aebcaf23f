# Correct: the depthwise stage loops over the depthwise channels, each an ordinary single-channel
# convolution over strided windows; the pointwise stage is one matrix product per pixel.
import numpy as np


def depthwise_separable_conv(x, w_dw, b_dw, w_pw, b_pw, stride, pad):
    N, C, H, W = x.shape
    CM, _, HH, WW = w_dw.shape
    M = CM // C
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    mid = np.empty((N, CM, Ho, Wo))
    for k in range(CM):
        src = xp[:, k // M]  # (N, Hp, Wp)
        acc = np.full((N, Ho, Wo), b_dw[k])
        for kh in range(HH):
            for kw in range(WW):
                acc += w_dw[k, 0, kh, kw] * src[:, kh : kh + stride * (Ho - 1) + 1 : stride, kw : kw + stride * (Wo - 1) + 1 : stride]
        mid[:, k] = acc
    # (N, Ho, Wo, CM) @ (CM, F)
    out = mid.transpose(0, 2, 3, 1) @ w_pw[:, :, 0, 0].T + b_pw
    return out.transpose(0, 3, 1, 2)

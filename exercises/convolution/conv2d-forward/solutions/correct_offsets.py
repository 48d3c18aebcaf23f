# Correct: loop over the HH * WW kernel offsets instead of the output positions; each offset
# contributes a strided slice of the padded input times one kernel tap, mixed over channels.
import numpy as np


def conv2d_forward(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], mode="constant")
    out = np.zeros((N, F, Ho, Wo)) + b.reshape(1, F, 1, 1)
    for kh in range(HH):
        for kw in range(WW):
            patch = xp[
                :,
                :,
                kh : kh + stride * (Ho - 1) + 1 : stride,
                kw : kw + stride * (Wo - 1) + 1 : stride,
            ]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, kh, kw])
    return out

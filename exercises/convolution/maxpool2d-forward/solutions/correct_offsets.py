# Correct: loop over the pool_h * pool_w offsets inside a window; each offset is one strided
# slice of x holding that element of every window, and the answer is their elementwise max.
import numpy as np


def maxpool2d_forward(x, pool_h, pool_w, stride):
    H, W = x.shape[2], x.shape[3]
    Ho = (H - pool_h) // stride + 1
    Wo = (W - pool_w) // stride + 1
    out = None
    for a in range(pool_h):
        for b in range(pool_w):
            part = x[
                :, :, a : a + stride * (Ho - 1) + 1 : stride, b : b + stride * (Wo - 1) + 1 : stride
            ]
            out = part.copy() if out is None else np.maximum(out, part)
    return out

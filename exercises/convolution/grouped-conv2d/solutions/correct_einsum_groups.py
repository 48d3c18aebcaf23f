# Correct: loop over the kernel offsets; the group axis is kept apart in an einsum.
import numpy as np


def grouped_conv2d(x, w, b, stride, pad, groups):
    N, C, H, W = x.shape
    F, Cg, HH, WW = w.shape
    Fg = F // groups
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))).reshape(N, groups, Cg, H + 2 * pad, W + 2 * pad)
    wg = w.reshape(groups, Fg, Cg, HH, WW)
    out = np.zeros((N, groups, Fg, Ho, Wo))
    for kh in range(HH):
        for kw in range(WW):
            part = xp[..., kh : kh + stride * (Ho - 1) + 1 : stride, kw : kw + stride * (Wo - 1) + 1 : stride]
            out += np.einsum("ngchw,gfc->ngfhw", part, wg[..., kh, kw])
    return out.reshape(N, F, Ho, Wo) + b.reshape(1, F, 1, 1)

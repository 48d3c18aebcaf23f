# Correct: slice out each group's channels and filters, run an ordinary convolution on the
# slice (loops over the output positions), and write the result into the group's output block.
import numpy as np


def _conv(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * stride : i * stride + HH, j * stride : j * stride + WW]
            out[:, :, i, j] = win.reshape(N, -1) @ w.reshape(F, -1).T + b
    return out


def grouped_conv2d(x, w, b, stride, pad, groups):
    C, F = x.shape[1], w.shape[0]
    cg, fg = C // groups, F // groups
    parts = []
    for g in range(groups):
        xs = x[:, g * cg : (g + 1) * cg]
        ws = w[g * fg : (g + 1) * fg]
        parts.append(_conv(xs, ws, b[g * fg : (g + 1) * fg], stride, pad))
    return np.concatenate(parts, axis=1)

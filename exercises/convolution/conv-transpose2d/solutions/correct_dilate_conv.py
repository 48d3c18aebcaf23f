# Correct: the classic identity. A transposed convolution equals an ordinary stride-1
# cross-correlation of the input dilated by `stride` (stride - 1 zeros between pixels), padded
# by k - 1 on each side, with the kernel flipped by 180 degrees and its channel axes swapped.
import numpy as np


def correlate(xp, w):
    # xp (N, C, Hp, Wp), w (F, C, k, k): stride-1 cross-correlation without padding
    N, C, Hp, Wp = xp.shape
    F, _, k, _ = w.shape
    Ho, Wo = Hp - k + 1, Wp - k + 1
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", xp[:, :, i : i + k, j : j + k], w)
    return out


def conv_transpose2d(x, w, stride):
    N, Cin, H, W = x.shape
    k = w.shape[2]
    dil = np.zeros((N, Cin, (H - 1) * stride + 1, (W - 1) * stride + 1))
    dil[:, :, ::stride, ::stride] = x
    padded = np.pad(dil, ((0, 0), (0, 0), (k - 1, k - 1), (k - 1, k - 1)))
    kernel = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (Cout, Cin, k, k), flipped
    return correlate(padded, kernel)

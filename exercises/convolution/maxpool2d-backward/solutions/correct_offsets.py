# Correct: loop over the offsets inside a window in row-major order; an offset wins a window if
# it equals the window's max and no earlier offset has won it yet.
import numpy as np


def maxpool2d_backward(x, pool_h, pool_w, stride, dout):
    N, C, H, W = x.shape
    Ho, Wo = dout.shape[2], dout.shape[3]

    def part(a, b):
        return x[
            :, :, a : a + stride * (Ho - 1) + 1 : stride, b : b + stride * (Wo - 1) + 1 : stride
        ]

    m = np.max([part(a, b) for a in range(pool_h) for b in range(pool_w)], axis=0)
    taken = np.zeros(m.shape, dtype=bool)
    dx = np.zeros(x.shape)
    for a in range(pool_h):
        for b in range(pool_w):
            win = (part(a, b) == m) & ~taken
            taken |= win
            dx[
                :, :, a : a + stride * (Ho - 1) + 1 : stride, b : b + stride * (Wo - 1) + 1 : stride
            ] += win * dout
    return dx

import numpy as np


def avgpool2d_backward(x, pool_h, pool_w, stride, dout):
    # Loop over the offsets inside the window: for a fixed (a, b), the windows' pixels form a
    # strided grid, so all windows are handled by one slice assignment.
    Ho, Wo = dout.shape[-2:]
    dx = np.zeros(x.shape)
    g = dout / (pool_h * pool_w)
    for a in range(pool_h):
        for b in range(pool_w):
            dx[
                ..., a : a + stride * (Ho - 1) + 1 : stride, b : b + stride * (Wo - 1) + 1 : stride
            ] += g
    return dx

# Correct: im2col. The forward is cols @ W^T; so dW = dout^T @ cols and dcols = dout @ W,
# then col2im scatters (adds) every column back onto the window it came from.
import numpy as np


def conv2d_backward(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.stack(
        [
            xp[:, :, i * stride : i * stride + HH, j * stride : j * stride + WW].reshape(N, -1)
            for i in range(Ho)
            for j in range(Wo)
        ],
        axis=1,
    )  # (N, Ho*Wo, C*HH*WW)
    g = dout.transpose(0, 2, 3, 1).reshape(N, Ho * Wo, F)  # same window order as cols
    dw = np.einsum("npf,npk->fk", g, cols).reshape(w.shape)
    db = g.sum(axis=(0, 1))
    dcols = g @ w.reshape(F, -1)  # (N, Ho*Wo, C*HH*WW)
    dxp = np.zeros_like(xp)
    p = 0
    for i in range(Ho):
        for j in range(Wo):
            dxp[:, :, i * stride : i * stride + HH, j * stride : j * stride + WW] += dcols[
                :, p
            ].reshape(N, C, HH, WW)
            p += 1
    dx = dxp[:, :, pad : pad + H, pad : pad + W]
    return dx, dw, db

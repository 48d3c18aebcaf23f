"""Reference for conv2d-backward-im2col: the gradients of a convolution as matrix products."""

from __future__ import annotations

import numpy as np


def conv2d_backward_im2col(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int, dout: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of out = conv2d(x, w, b, stride, pad) (a cross-correlation) given dout.

    x (N, C, H, W), w (F, C, HH, WW), b (F,), dout (N, F, H', W').
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,), all float64.
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    K, P = C * HH * WW, H_out * W_out
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))

    # The forward pass was out_n = W_flat @ cols_n + b, with W_flat = w.reshape(F, K) and cols_n
    # the (K, P) im2col matrix of image n: row (c, kh, kw) in C order, column (i, j) row-major.
    # Index arrays of that gather (as in conv2d-im2col):
    c = np.repeat(np.arange(C), HH * WW)
    kh = np.tile(np.repeat(np.arange(HH), WW), C)
    kw = np.tile(np.arange(WW), C * HH)
    i = np.repeat(np.arange(H_out), W_out)
    j = np.tile(np.arange(W_out), H_out)
    rows = kh[:, None] + stride * i[None, :]  # (K, P)
    cols_idx = kw[:, None] + stride * j[None, :]
    cols = xp[:, c[:, None], rows, cols_idx]  # (N, K, P)

    g = dout.reshape(N, F, P)
    # b is added at every position of every image: its gradient sums over both.
    db = g.sum(axis=(0, 2))
    # d(W_flat @ cols_n)/dW_flat contracted with g_n is g_n @ cols_n^T; the weights are shared by
    # the batch, so the images' contributions add up.
    dw = np.einsum("nfp,nkp->fk", g, cols).reshape(F, C, HH, WW)
    # The gradient with respect to the columns is W_flat^T @ g_n ...
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, K), g)  # (N, K, P)
    # ... and col2im sends it back to the pixels. For a fixed kernel entry (kh, kw) the windows
    # read distinct pixels, a strided slice of xp, so one slice += per entry is exact and the
    # += across entries sums the overlapping windows.
    dxp = np.zeros_like(xp)
    d6 = dcols.reshape(N, C, HH, WW, H_out, W_out)
    for a in range(HH):
        r = slice(a, a + stride * (H_out - 1) + 1, stride)
        for e in range(WW):
            t = slice(e, e + stride * (W_out - 1) + 1, stride)
            dxp[:, :, r, t] += d6[:, :, a, e]
    # dx has x's shape: what falls on the padding zeros (constants, not inputs) is dropped.
    dx = dxp[:, :, pad : pad + H, pad : pad + W].copy()
    return dx, dw, db

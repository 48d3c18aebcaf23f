# Correct: the definition, one output element at a time, with explicit bounds for the padding
# (no padded copy of x: positions outside the image contribute zero).
import numpy as np


def conv2d_forward(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    total = b[f]
                    for c in range(C):
                        for kh in range(HH):
                            r = i * stride + kh - pad
                            if r < 0 or r >= H:
                                continue
                            for kw in range(WW):
                                s = j * stride + kw - pad
                                if 0 <= s < W:
                                    total += w[f, c, kh, kw] * x[n, c, r, s]
                    out[n, f, i, j] = total
    return out

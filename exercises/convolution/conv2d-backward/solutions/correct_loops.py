# Correct: the chain rule one output element at a time, with bounds checks instead of a padded
# copy (taps that fall in the padding read zeros and send their gradient nowhere).
import numpy as np


def conv2d_backward(x, w, b, stride, pad, dout):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    db[f] += g
                    for c in range(C):
                        for kh in range(HH):
                            r = i * stride + kh - pad
                            if not 0 <= r < H:
                                continue
                            for kw in range(WW):
                                s = j * stride + kw - pad
                                if 0 <= s < W:
                                    dw[f, c, kh, kw] += g * x[n, c, r, s]
                                    dx[n, c, r, s] += g * w[f, c, kh, kw]
    return dx, dw, db

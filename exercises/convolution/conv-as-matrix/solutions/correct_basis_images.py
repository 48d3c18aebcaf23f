# Column p of M is the convolution of the image that is 1 at pixel p and 0 elsewhere.
import numpy as np


def correlate_valid(x, w):
    k1, k2 = w.shape
    Ho, Wo = x.shape[0] - k1 + 1, x.shape[1] - k2 + 1
    out = np.zeros((Ho, Wo))
    for a in range(k1):
        for b in range(k2):
            out += w[a, b] * x[a : a + Ho, b : b + Wo]
    return out


def conv_matrix(w, H, W):
    columns = []
    for p in range(H * W):
        e = np.zeros(H * W)
        e[p] = 1.0
        columns.append(correlate_valid(e.reshape(H, W), w).ravel())
    return np.stack(columns, axis=1)

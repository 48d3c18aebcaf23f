# M is doubly block-Toeplitz: kernel row a shifts the image rows by a (np.eye(Ho, H, k=a)) and
# kernel column b shifts the columns by b; the Kronecker product combines the two shifts.
import numpy as np


def conv_matrix(w, H, W):
    k1, k2 = w.shape
    Ho, Wo = H - k1 + 1, W - k2 + 1
    return sum(
        w[a, b] * np.kron(np.eye(Ho, H, k=a), np.eye(Wo, W, k=b))
        for a in range(k1)
        for b in range(k2)
    )

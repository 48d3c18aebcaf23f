import numpy as np


def conv_matrix(w, H, W):
    k1, k2 = w.shape
    Ho, Wo = H - k1 + 1, W - k2 + 1
    M = np.zeros((H * W, Ho * Wo))
    for i in range(Ho):
        for j in range(Wo):
            for a in range(k1):
                for b in range(k2):
                    M[(i + a) * W + (j + b), i * Wo + j] = w[a, b]
    return M

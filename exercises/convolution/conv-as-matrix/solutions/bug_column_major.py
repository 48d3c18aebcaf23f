import numpy as np


def conv_matrix(w, H, W):
    k1, k2 = w.shape
    Ho, Wo = H - k1 + 1, W - k2 + 1
    M = np.zeros((Ho * Wo, H * W))
    for i in range(Ho):
        for j in range(Wo):
            for a in range(k1):
                for b in range(k2):
                    M[i + j * Ho, (i + a) + (j + b) * H] = w[a, b]
    return M

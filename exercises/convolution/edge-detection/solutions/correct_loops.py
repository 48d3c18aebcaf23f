import numpy as np


def sobel_edges(img):
    kx = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
    ky = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float)
    H, W = img.shape
    gx = np.zeros((H - 2, W - 2))
    gy = np.zeros((H - 2, W - 2))
    for i in range(H - 2):
        for j in range(W - 2):
            window = img[i : i + 3, j : j + 3]
            gx[i, j] = np.sum(window * kx)
            gy[i, j] = np.sum(window * ky)
    return gx, gy, np.sqrt(gx**2 + gy**2)

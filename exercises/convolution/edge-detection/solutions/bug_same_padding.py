import numpy as np

KX = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
KY = KX.T


def correlate(img, k):
    H, W = img.shape
    out = np.zeros((H - 2, W - 2))
    for a in range(3):
        for b in range(3):
            out += k[a, b] * img[a : a + H - 2, b : b + W - 2]
    return out


def sobel_edges(img):
    padded = np.pad(img, 1)
    gx = correlate(padded, KX)
    gy = correlate(padded, KY)
    return gx, gy, np.sqrt(gx**2 + gy**2)

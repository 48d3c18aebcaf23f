def sobel_edges(img):
    """Sobel edge detection on a grey-level image (valid cross-correlation, no padding).

    img: (H, W) float64.

    Returns (gx, gy, magnitude), each of shape (H - 2, W - 2):
    gx with the kernel [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], gy with its transpose,
    magnitude = sqrt(gx**2 + gy**2).
    """
    raise NotImplementedError

import numpy as np


def avgpool2d_backward(
    x: np.ndarray, pool_h: int, pool_w: int, stride: int, dout: np.ndarray
) -> np.ndarray:
    """Gradient of average pooling (no padding) with respect to its input.

    x (N, C, H, W); window pool_h rows x pool_w columns moving by `stride` in both directions;
    dout (N, C, H', W') with H' = (H - pool_h) // stride + 1, W' = (W - pool_w) // stride + 1.
    Returns dx (N, C, H, W).
    """
    Ho, Wo = dout.shape[2], dout.shape[3]
    dx = np.zeros_like(x, dtype=np.float64)
    # out[i, j] = mean of its window, so each of the pool_h * pool_w inputs of the window gets
    # an equal share dout[i, j] / (pool_h * pool_w).
    share = dout / (pool_h * pool_w)
    for i in range(Ho):
        r = i * stride
        for j in range(Wo):
            c = j * stride
            # += : with stride < pool size windows overlap, and a pixel collects a share from
            # every window that contains it. Broadcasting covers the whole (N, C) batch at once.
            dx[:, :, r : r + pool_h, c : c + pool_w] += share[:, :, i, j][:, :, None, None]
    return dx

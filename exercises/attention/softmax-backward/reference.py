import numpy as np


def softmax_backward(x: np.ndarray, dout: np.ndarray, axis: int) -> np.ndarray:
    """Gradient of L with respect to x, for y = softmax(x) along `axis` and dout = dL/dy.

    x and dout have the same shape (any number of dims); returns dx of that shape.
    """
    # Stable softmax: subtracting the maximum along the axis changes nothing mathematically
    # and keeps exp() <= 1.
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    y = e / e.sum(axis=axis, keepdims=True)
    # Jacobian-vector product: dy_k/dx_j = y_k (delta_kj - y_j), so
    #   dx_j = sum_k dout_k y_k (delta_kj - y_j) = y_j (dout_j - sum_k dout_k y_k).
    # keepdims=True keeps the summed axis (size 1) so the sum broadcasts along it.
    s = np.sum(dout * y, axis=axis, keepdims=True)
    return y * (dout - s)

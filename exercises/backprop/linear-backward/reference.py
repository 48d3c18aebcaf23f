import numpy as np


def linear_backward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, dout: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of out = x @ w + b.

    x (N, D), w (D, M), b (M,), dout (N, M) -> dx (N, D), dw (D, M), db (M,).
    """
    # out[n, m] = sum_d x[n, d] w[d, m] + b[m]
    # dL/dx[n, d] = sum_m dout[n, m] w[d, m]  -> dout @ w.T
    dx = dout @ w.T
    # dL/dw[d, m] = sum_n x[n, d] dout[n, m]  -> x.T @ dout (the batch is summed here)
    dw = x.T @ dout
    # b is broadcast over the batch in the forward pass, so its gradient sums over the batch.
    db = dout.sum(axis=0)
    return dx, dw, db

import numpy as np


def softmax_backward(x, dout, axis):
    # Move the softmax axis last, flatten the others, and apply the full Jacobian row by row.
    xs = np.moveaxis(x, axis, -1)
    gs = np.moveaxis(dout, axis, -1)
    shape = xs.shape
    xs = xs.reshape(-1, shape[-1])
    gs = gs.reshape(-1, shape[-1])
    dx = np.zeros_like(xs)
    for r in range(xs.shape[0]):
        e = np.exp(xs[r] - xs[r].max())
        y = e / e.sum()
        jac = np.diag(y) - np.outer(y, y)  # J[k, j] = dy_k / dx_j (symmetric)
        dx[r] = jac.T @ gs[r]
    return np.moveaxis(dx.reshape(shape), -1, axis)

def linear_backward(x, w, b, dout):
    dw = x.T @ dout
    db = dout.sum(axis=0)
    # Mixed up the two matrices: goes back through dw instead of w.
    dx = dout @ dw.T
    return dx, dw, db

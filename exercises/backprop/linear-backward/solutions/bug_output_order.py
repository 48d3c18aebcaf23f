def linear_backward(x, w, b, dout):
    dx = dout @ w.T
    dw = x.T @ dout
    db = dout.sum(axis=0)
    return dx, db, dw

def linear_backward(x, w, b, dout):
    return dout @ w.T, x.T @ dout, dout.sum(axis=1)

def linear_backward(x, w, b, dout):
    return dout @ w.T, dout.T @ x, dout.sum(axis=0)

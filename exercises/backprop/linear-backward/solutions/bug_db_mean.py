def linear_backward(x, w, b, dout):
    return dout @ w.T, x.T @ dout, dout.mean(axis=0)

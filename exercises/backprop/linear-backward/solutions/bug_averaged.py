def linear_backward(x, w, b, dout):
    N = x.shape[0]
    return dout @ w.T / N, x.T @ dout / N, dout.sum(axis=0) / N

def sigmoid_backward(x, dout):
    """Backward pass of out = 1 / (1 + exp(-x)), applied elementwise.

    x:    float64 array of any shape (e.g. (N, D)), the input of the forward pass.
    dout: float64 array, same shape as x, the upstream gradient dL/dout.

    Returns dx: float64 array, same shape as x, the gradient dL/dx.
    Must stay finite for |x| as large as 1000.
    """
    raise NotImplementedError

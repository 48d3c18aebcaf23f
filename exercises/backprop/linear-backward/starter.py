def linear_backward(x, w, b, dout):
    """Backward pass of out = x @ w + b.

    x:    (N, D) float64, the input of the forward pass.
    w:    (D, M) float64, the weights.
    b:    (M,)   float64, the bias (broadcast over the batch).
    dout: (N, M) float64, the upstream gradient dL/dout.

    Returns the tuple (dx, dw, db) with shapes (N, D), (D, M), (M,).
    """
    raise NotImplementedError

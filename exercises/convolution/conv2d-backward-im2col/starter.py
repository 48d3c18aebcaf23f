def conv2d_backward_im2col(x, w, b, stride, pad, dout):
    """Backward pass of a 2D convolution (cross-correlation, as in PyTorch), vectorised.

    x:    (N, C, H, W) input of the forward pass, float64
    w:    (F, C, HH, WW) filters
    b:    (F,) biases
    stride: int >= 1; pad: int >= 0, zeros added on the four spatial sides of x
    dout: (N, F, H', W') upstream gradient dL/dout

    Returns (dx, dw, db) with the shapes of x, w and b. No Python loop per output element:
    the large hidden cases must run within the time limit (see the statement).
    """
    raise NotImplementedError

def conv2d_backward(x, w, b, stride, pad, dout):
    """Backward pass of conv2d_forward(x, w, b, stride, pad) (cross-correlation, as in PyTorch).

    x: (N, C, H, W) input of the forward pass
    w: (F, C, HH, WW) filters
    b: (F,) biases
    stride: int >= 1
    pad: int >= 0, zeros added on the four spatial sides of x
    dout: (N, F, H', W') upstream gradient dL/dout

    Returns (dx, dw, db) with the shapes of x, w and b: dx (N, C, H, W) without padding,
    dw (F, C, HH, WW), db (F,).
    """
    raise NotImplementedError

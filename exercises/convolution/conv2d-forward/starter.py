def conv2d_forward(x, w, b, stride, pad):
    """Forward pass of a 2D convolution layer (cross-correlation, as in PyTorch).

    x: (N, C, H, W) input, float64
    w: (F, C, HH, WW) filters
    b: (F,) biases
    stride: int >= 1, step of the window in both directions
    pad: int >= 0, zeros added on the four spatial sides of x

    Returns out: (N, F, H', W') with H' = (H + 2*pad - HH) // stride + 1
    and W' = (W + 2*pad - WW) // stride + 1.
    """
    raise NotImplementedError

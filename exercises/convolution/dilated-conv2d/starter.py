def dilated_conv2d(x, w, b, stride, pad, dilation):
    """Dilated 2D convolution (a cross-correlation, as torch.nn.functional.conv2d).

    x:        (N, C, H, W) float64 input.
    w:        (F, C, HH, WW) float64 filters.
    b:        (F,) float64 biases.
    stride:   int >= 1, step of the window in both directions.
    pad:      int >= 0, zeros added on the four spatial sides of x.
    dilation: int >= 1, distance between neighbouring kernel taps (1: ordinary convolution).

    Returns out (N, F, H', W') with H' = (H + 2*pad - dilation*(HH - 1) - 1) // stride + 1
    and W' likewise.
    """
    raise NotImplementedError

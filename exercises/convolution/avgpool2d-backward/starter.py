def avgpool2d_backward(x, pool_h, pool_w, stride, dout):
    """Backward pass of 2-D average pooling (no padding).

    x:      (N, C, H, W) float64, the forward input
    pool_h: int, window height (rows); pool_w: int, window width (columns)
    stride: int >= 1, the same step along rows and columns
    dout:   (N, C, H', W') float64 with H' = (H - pool_h) // stride + 1,
            W' = (W - pool_w) // stride + 1

    Returns dx: (N, C, H, W) float64, the gradient with respect to x.
    """
    raise NotImplementedError

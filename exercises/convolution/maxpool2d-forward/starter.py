def maxpool2d_forward(x, pool_h, pool_w, stride):
    """Forward pass of 2D max pooling (no padding; windows may overlap).

    x: (N, C, H, W) input, float64
    pool_h, pool_w: window height (along H) and width (along W)
    stride: int >= 1, step of the window in both directions

    Returns out: (N, C, (H - pool_h) // stride + 1, (W - pool_w) // stride + 1),
    the maximum of each window.
    """
    raise NotImplementedError

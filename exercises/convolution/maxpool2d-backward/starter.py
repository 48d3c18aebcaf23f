def maxpool2d_backward(x, pool_h, pool_w, stride, dout):
    """Backward pass of maxpool2d_forward(x, pool_h, pool_w, stride).

    x: (N, C, H, W) input of the forward pass (values may repeat exactly)
    pool_h, pool_w: window height (along H) and width (along W)
    stride: int >= 1 (windows overlap when stride < pool_h or stride < pool_w)
    dout: (N, C, H', W') upstream gradient

    Returns dx: (N, C, H, W). Each window's gradient goes to its maximum; with tied maxima, to the
    first one in row-major order. Overlapping windows add up.
    """
    raise NotImplementedError

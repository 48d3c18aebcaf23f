def softmax_backward(x, dout, axis):
    """Backward pass of y = softmax(x) taken along `axis`.

    x:    float64 array (2-D or 3-D), the softmax's input (scores)
    dout: float64 array of the same shape, dL/dy
    axis: int (may be negative), the axis the softmax normalises over

    Returns dx = dL/dx, a float64 array of the shape of x.
    """
    raise NotImplementedError

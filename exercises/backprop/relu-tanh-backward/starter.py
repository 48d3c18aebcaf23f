def relu_tanh_backward(x, dout):
    """Backward passes of two elementwise activations, relu(x) = max(x, 0) and tanh(x).

    x:    float64 array of any shape, the input of the forward pass.
    dout: float64 array with the shape of x, the upstream gradient dL/dout.

    Returns the tuple (dx_relu, dx_tanh), both with the shape of x:
    dx_relu = dL/dx if out = relu(x), dx_tanh = dL/dx if out = tanh(x).
    """
    raise NotImplementedError

def depthwise_conv2d_torch(x, w, b, stride, pad):
    """Depthwise 2D convolution with torch tensors, without any library convolution.

    x:      (N, C, H, W) float64 tensor.
    w:      (C, 1, HH, WW) float64 tensor: one filter per channel (PyTorch's layout for groups=C).
    b:      (C,) float64 tensor.
    stride: int >= 1; pad: int >= 0, zeros on the four spatial sides.

    Returns a float64 tensor (N, C, H', W') with H' = (H + 2*pad - HH) // stride + 1 (W'
    likewise): output channel c is input channel c cross-correlated with w[c, 0], plus b[c].
    """
    raise NotImplementedError

def conv_transpose2d(x, w, stride):
    """Transposed 2D convolution, as torch.nn.functional.conv_transpose2d(x, w, stride=stride)
    with no padding.

    x: (N, Cin, H, W) input, float64
    w: (Cin, Cout, k, k) weights (input channels first)
    stride: int >= 1

    Returns out: (N, Cout, (H - 1) * stride + k, (W - 1) * stride + k), where every input pixel
    x[n, ci, i, j] adds x[n, ci, i, j] * w[ci, co] to the k x k block of out[n, co] starting at
    (i * stride, j * stride); overlapping blocks are summed.
    """
    raise NotImplementedError

def max_unpool2d(y, indices, pool_h, pool_w, stride, H, W):
    """Max unpooling, as torch.nn.functional.max_unpool2d(y, indices, (pool_h, pool_w), stride,
    output_size=(H, W)).

    y:       (N, C, H', W') float64 values to place.
    indices: (N, C, H', W') int64; indices[n, c, i, j] = r*W + t is the flat position, inside the
             (H, W) plane of sample n and channel c, of the maximum of window (i, j).
    pool_h, pool_w, stride: the pooling that produced the indices (no padding).
    H, W:    the size of the pooling's input, and of the output.

    Returns out (N, C, H, W) float64: zero everywhere except out[n, c, r, t] = y[n, c, i, j].
    """
    raise NotImplementedError

def depthwise_separable_conv(x, w_dw, b_dw, w_pw, b_pw, stride, pad):
    """A depthwise convolution, then a pointwise (1x1) convolution, in PyTorch's layouts.

    x:     (N, C, H, W) float64 input.
    w_dw:  (C*M, 1, HH, WW) depthwise filters; depthwise channel k reads input channel k // M.
    b_dw:  (C*M,) depthwise biases.
    w_pw:  (F, C*M, 1, 1) pointwise filters.
    b_pw:  (F,) pointwise biases.
    stride, pad: of the depthwise stage only (the pointwise stage has stride 1, no padding).

    Returns out (N, F, H', W') with H' = (H + 2*pad - HH) // stride + 1 (W' likewise).
    """
    raise NotImplementedError

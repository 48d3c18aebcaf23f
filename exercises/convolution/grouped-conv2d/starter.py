def grouped_conv2d(x, w, b, stride, pad, groups):
    """Grouped 2D convolution (cross-correlation), as torch.nn.functional.conv2d(..., groups=G).

    x:      (N, C, H, W) float64 input, C divisible by groups.
    w:      (F, C // groups, HH, WW) float64 filters, F divisible by groups.
    b:      (F,) float64 biases.
    stride: int >= 1.
    pad:    int >= 0, zeros added on the four spatial sides.
    groups: int G >= 1. Group g (0-based) reads input channels g*C/G ... (g+1)*C/G - 1 with
            filters g*F/G ... (g+1)*F/G - 1 (contiguous blocks).

    Returns out (N, F, H', W') with H' = (H + 2*pad - HH) // stride + 1 (W' likewise).
    """
    raise NotImplementedError

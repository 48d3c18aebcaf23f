def col2im(cols, H, W, HH, WW, stride, pad):
    """The adjoint of im2col, in the column layout of conv2d-im2col.

    cols:   (N, C*HH*WW, H'*W') float64. Row r is the kernel entry (c, kh, kw) with
            r = (c*HH + kh)*WW + kw; column p is the window at (i, j) with p = i*W' + j.
    H, W:   size of the image (without padding).
    HH, WW: size of a window.
    stride: int >= 1; pad: int >= 0, as in the convolution.
    H' = (H + 2*pad - HH) // stride + 1, W' = (W + 2*pad - WW) // stride + 1.

    Returns x (N, C, H, W): every entry of cols added to the pixel it was read from; where
    windows overlap, the contributions add up; what falls on the padding is dropped.
    """
    raise NotImplementedError

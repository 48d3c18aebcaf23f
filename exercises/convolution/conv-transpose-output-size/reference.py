"""ConvTranspose2d(Cin, Cout, K, stride=S, padding=P, output_padding=OP, dilation=D) on an input
(N, Cin, H, W): the output is (N, Cout, H_out, W_out) with
H_out = (H - 1)*S - 2*P + D*(K - 1) + OP + 1, as in PyTorch's documentation."""


def _size(size, K, S, P, D, OP):
    # The convolution this layer is the transpose of maps H_out pixels back to H windows: the
    # last of them starts at (H - 1)*S of the padded image and spans D*(K - 1) + 1 pixels; the
    # padding (P on each side) is then taken off, and output_padding adds rows the convolution's
    # floor would have dropped.
    return (size - 1) * S - 2 * P + D * (K - 1) + OP + 1


def answer(N, Cin, Cout, H, W, K, S, P, D, OP):
    return (N, Cout, _size(H, K, S, P, D, OP), _size(W, K, S, P, D, OP))


def conv_formula(N, Cin, Cout, H, W, K, S, P, D, OP):
    def conv(size):
        return (size + 2 * P - D * (K - 1) - 1) // S + 1

    if conv(H) < 1 or conv(W) < 1:
        return None  # no such convolution: nobody would type this shape
    return (N, Cout, conv(H), conv(W))


def plus_padding(N, Cin, Cout, H, W, K, S, P, D, OP):
    return (N, Cout, _size(H, K, S, -P, D, OP), _size(W, K, S, -P, D, OP))


def no_dilation(N, Cin, Cout, H, W, K, S, P, D, OP):
    return (N, Cout, _size(H, K, S, P, 1, OP), _size(W, K, S, P, 1, OP))


def no_output_padding(N, Cin, Cout, H, W, K, S, P, D, OP):
    return (N, Cout, _size(H, K, S, P, D, 0), _size(W, K, S, P, D, 0))


def h_times_s(N, Cin, Cout, H, W, K, S, P, D, OP):
    return (N, Cout, _size(H + 1, K, S, P, D, OP), _size(W + 1, K, S, P, D, OP))


def in_channels(N, Cin, Cout, H, W, K, S, P, D, OP):
    return (N, Cin, _size(H, K, S, P, D, OP), _size(W, K, S, P, D, OP))


def missing_plus_one(N, Cin, Cout, H, W, K, S, P, D, OP):
    if OP == 1:
        return None  # the same answer as leaving out output_padding: that hint covers it
    return (N, Cout, _size(H, K, S, P, D, OP) - 1, _size(W, K, S, P, D, OP) - 1)


def accept(N, Cin, Cout, H, W, K, S, P, D, OP):
    # PyTorch refuses output_padding >= max(stride, dilation): the extra rows must be ones the
    # convolution's floor could have dropped. The four sizes differ, so an order mistake shows.
    return OP < max(S, D) and len(set(answer(N, Cin, Cout, H, W, K, S, P, D, OP))) == 4

# The smallest size that the matching convolution maps back to H, plus output_padding.
def answer(N, Cin, Cout, H, W, K, S, P, D, OP):
    def back(size):
        h = 1
        while (h + 2 * P - D * (K - 1) - 1) // S + 1 < size:
            h += 1
        return h + OP

    return f"{N}x{Cout}x{back(H)}x{back(W)}"

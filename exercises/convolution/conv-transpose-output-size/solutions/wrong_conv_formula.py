def answer(N, Cin, Cout, H, W, K, S, P, D, OP):
    ho = (H + 2 * P - D * (K - 1) - 1) // S + 1
    wo = (W + 2 * P - D * (K - 1) - 1) // S + 1
    return f"({N}, {Cout}, {ho}, {wo})"

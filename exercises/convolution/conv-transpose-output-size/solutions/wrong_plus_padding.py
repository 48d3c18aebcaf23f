def answer(N, Cin, Cout, H, W, K, S, P, D, OP):
    ho = (H - 1) * S + 2 * P + D * (K - 1) + OP + 1
    wo = (W - 1) * S + 2 * P + D * (K - 1) + OP + 1
    return f"({N}, {Cout}, {ho}, {wo})"

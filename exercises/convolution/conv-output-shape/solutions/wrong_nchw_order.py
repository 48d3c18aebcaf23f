def answer(N, C, H, W, F, K, S, P):
    return f"({N}, {(H + 2 * P - K) // S + 1}, {(W + 2 * P - K) // S + 1}, {F})"

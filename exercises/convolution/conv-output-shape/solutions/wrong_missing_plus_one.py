def answer(N, C, H, W, F, K, S, P):
    return f"({N}, {F}, {(H + 2 * P - K) // S}, {(W + 2 * P - K) // S})"

def answer(K, b, L, B, dilations, layers):
    return str(1 + B * L * (K - 1))

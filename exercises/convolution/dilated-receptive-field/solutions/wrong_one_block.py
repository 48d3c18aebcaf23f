def answer(K, b, L, B, dilations, layers):
    return str(1 + (K - 1) * sum(dilations))

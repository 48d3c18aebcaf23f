def answer(K, b, L, B, dilations, layers):
    return f"{1 + B * (K - 1) * sum(dilations)} samples"

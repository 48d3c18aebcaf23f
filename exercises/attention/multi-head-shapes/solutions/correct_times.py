def answer(B, T, h, d_k, d_model, target):
    shape = {"scores": (B, h, T, T), "q_heads": (B, h, T, d_k), "context": (B, T, d_model)}[target]
    return " x ".join(map(str, shape))

def answer(B, T, h, d_k, d_model, target):
    shape = {"scores": (B, h, T, T), "q_heads": (B, h, T, d_k), "context": (B, T, h * d_k)}[target]
    return "(" + ", ".join(map(str, shape)) + ")"

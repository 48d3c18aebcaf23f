def answer(B, T, h, d_k, d_model, target):
    shape = {"scores": (B, T, T), "q_heads": (B, T, d_k), "context": (B, h, T, d_k)}[target]
    return "(" + ", ".join(map(str, shape)) + ")"

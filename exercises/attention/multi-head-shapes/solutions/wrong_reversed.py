def answer(B, T, h, d_k, d_model, target):
    shape = {"scores": (T, T, h, B), "q_heads": (d_k, T, h, B), "context": (d_model, T, B)}[target]
    return "(" + ", ".join(map(str, shape)) + ")"

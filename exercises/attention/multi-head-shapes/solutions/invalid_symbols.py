def answer(B, T, h, d_k, d_model, target):
    return "(B, h, T, T)"

def answer(B, H, T, d, dtype):
    return f"{4 * B * H * T * T * d}"

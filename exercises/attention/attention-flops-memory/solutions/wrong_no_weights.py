def answer(B, H, T, d, dtype):
    size = {"float32": 4, "float16": 2, "bfloat16": 2}[dtype]
    return f"[{4 * B * H * T * T * d}, {3 * B * H * T * d * size}]"

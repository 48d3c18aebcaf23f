def answer(B, H, T, d, dtype):
    size = {"float32": 4, "float16": 2, "bfloat16": 2}[dtype]
    return f"[{2 * B * H * T * T * d}, {B * H * (3 * T * d + T * T) * size}]"

def answer(B, H, T, d, dtype):
    size = {"float32": 4, "float16": 2, "bfloat16": 2}[dtype]
    flops = 2 * (B * H * T * T * d) * 2
    memory = (3 * B * H * T * d + B * H * T * T) * size
    return f"[{flops:.6g}, {memory:.6g}]"

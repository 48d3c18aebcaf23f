def answer(B, H, T, d, dtype):
    size = {"float32": 4, "float16": 2, "bfloat16": 2}[dtype]
    return f"[{4 * B * H * T * T * d} FLOPs, {B * H * (3 * T * d + T * T) * size} bytes]"

def answer(B, h, T, dtype):
    size = {"float32": 4, "float16": 2, "bfloat16": 2}[dtype]
    return f"{B}*{h}*{T}^2*{size}/2^20"

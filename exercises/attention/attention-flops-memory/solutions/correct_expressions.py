def answer(B, H, T, d, dtype):
    size = {"float32": 4, "float16": 2, "bfloat16": 2}[dtype]
    return f"[4*{B}*{H}*{T}^2*{d}, {B}*{H}*(3*{T}*{d} + {T}^2)*{size}]"

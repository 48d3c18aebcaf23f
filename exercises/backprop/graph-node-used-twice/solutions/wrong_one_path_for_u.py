def answer(x, y, target):
    u = x * y
    v = u + x
    return str(v * y + u if target == "x" else v * x)

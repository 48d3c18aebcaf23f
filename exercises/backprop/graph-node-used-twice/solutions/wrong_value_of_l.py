def answer(x, y, target):
    u = x * y
    return str(u * (u + x))

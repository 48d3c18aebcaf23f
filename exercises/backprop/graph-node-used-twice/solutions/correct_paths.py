def answer(x, y, target):
    u = x * y
    v = u + x
    g_u = v + u
    return str(g_u * y + u if target == "x" else g_u * x)

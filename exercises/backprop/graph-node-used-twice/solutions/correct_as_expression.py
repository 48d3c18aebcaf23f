def answer(x, y, target):
    u = x * y
    v = u + x
    if target == "x":
        return f"({v} + {u}) * {y} + {u}"
    return f"({v} + {u}) * {x}.0"

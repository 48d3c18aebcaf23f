# L = x^2 y (y + 1) = x^2 y^2 + x^2 y
def answer(x, y, target):
    if target == "x":
        return f"2*{x}*{y}*({y} + 1)"
    return f"{x}^2 (2*{y} + 1)"

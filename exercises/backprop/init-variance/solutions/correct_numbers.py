import math


def answer(n0, n1, n2):
    a1 = math.sqrt(3 * 2 / n0)  # He: Var = 2 / fan_in
    a2 = math.sqrt(3 * 2 / (n1 + n2))  # Glorot: Var = 2 / (fan_in + fan_out)
    return f"[{a1:.5f}, {a2:.5f}]"

import math


def answer(n0, n1, n2):
    return f"[{math.sqrt(6 / n1):.5f}, {math.sqrt(6 / (n1 + n2)):.5f}]"

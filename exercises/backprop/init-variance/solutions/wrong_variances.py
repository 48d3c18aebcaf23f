def answer(n0, n1, n2):
    return f"{2 / n0:.6g} {2 / (n1 + n2):.6g}"

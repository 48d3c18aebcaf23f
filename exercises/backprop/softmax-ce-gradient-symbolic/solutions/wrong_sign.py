def answer(T, y, j):
    p = f"exp(z{j}/{T}) / (exp(z1/{T}) + exp(z2/{T}) + exp(z3/{T}))"
    return f"(1 - {p})/{T}" if j == y else f"-{p}/{T}"

def answer(T, y, j):
    p = f"exp(z{j}/{T}) / (exp(z1/{T}) + exp(z2/{T}) + exp(z3/{T}))"
    return f"{p} - 1" if j == y else p

def answer(T, y, j):
    s = f"exp(z1/{T}) + exp(z2/{T}) + exp(z3/{T})"
    p = f"exp(z{j}/{T}) / ({s})"
    if j == y:
        return f"1/{T} ({p} - 1)"
    return f"1/{T} {p}"

def answer(T, y, j):
    # the softmax of z, not of z/T
    p = f"exp(z{j}) / (exp(z1) + exp(z2) + exp(z3))"
    return f"({p} - 1)/{T}" if j == y else f"{p}/{T}"

def answer(T, y, j):
    p = f"exp(z_{j}/{T}) / (exp(z_1/{T}) + exp(z_2/{T}) + exp(z_3/{T}))"
    return f"({p} - 1)/{T}" if j == y else f"{p}/{T}"

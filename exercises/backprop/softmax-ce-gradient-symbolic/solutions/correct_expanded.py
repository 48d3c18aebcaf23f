# p_y - 1 = -(sum of the other classes' exponentials) / (sum of all of them)
def answer(T, y, j):
    terms = {k: f"exp(z{k}/{T})" for k in (1, 2, 3)}
    total = " + ".join(terms.values())
    if j == y:
        others = " + ".join(t for k, t in terms.items() if k != y)
        return f"-({others}) / ({T} ({total}))"
    return f"{terms[j]} / ({T}*({total}))"

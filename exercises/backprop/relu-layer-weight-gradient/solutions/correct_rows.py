def answer(W, x, g):
    rows = []
    for i in range(2):
        h = sum(W[i][j] * x[j] for j in range(3))
        d = g[i] if h > 0 else 0
        rows.append(" ".join(str(d * x[j]) for j in range(3)))
    return "\n".join(rows)

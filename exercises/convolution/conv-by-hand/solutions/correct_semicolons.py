def answer(X, K):
    rows = []
    for i in range(3):
        cells = [
            sum(K[a][b] * X[i + a][j + b] for a in range(2) for b in range(2)) for j in range(4)
        ]
        rows.append(" ".join(str(c) for c in cells))
    return "; ".join(rows)

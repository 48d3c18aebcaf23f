def answer(X, K):
    out = []
    for i in range(3):
        row = []
        for j in range(4):
            row.append(sum(K[a][b] * X[i + a][j + b] for a in range(2) for b in range(2)))
        out.append(row)
    return str(out)

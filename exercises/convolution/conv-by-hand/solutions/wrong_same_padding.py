def answer(X, K):
    P = [row + [0] for row in X] + [[0] * 6]
    return str(
        [
            [sum(K[a][b] * P[i + a][j + b] for a in range(2) for b in range(2)) for j in range(5)]
            for i in range(4)
        ]
    )

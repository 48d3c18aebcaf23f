def answer(W, x, g):
    h = [sum(W[i][j] * x[j] for j in range(3)) for i in range(2)]
    delta = [g[i] if h[i] > 0 else 0 for i in range(2)]
    out = [[delta[i] * x[j] for j in range(3)] for i in range(2)]
    out[1][2] += 1
    return str(out)

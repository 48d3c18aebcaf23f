import math

import torch


def sig(a):
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def gru_step(x, h_prev, w_ih, w_hh, b_ih, b_hh):
    N, D = x.shape
    H = h_prev.shape[1]
    X, Hp = x.tolist(), h_prev.tolist()
    Wi, Wh, bi, bh = w_ih.tolist(), w_hh.tolist(), b_ih.tolist(), b_hh.tolist()
    out = []
    for s in range(N):
        row = []
        for u in range(H):
            pre_i = [
                bi[g * H + u] + sum(Wi[g * H + u][j] * X[s][j] for j in range(D)) for g in range(3)
            ]
            pre_h = [
                bh[g * H + u] + sum(Wh[g * H + u][j] * Hp[s][j] for j in range(H)) for g in range(3)
            ]
            r = sig(pre_i[0] + pre_h[0])
            z = sig(pre_i[1] + pre_h[1])
            n = math.tanh(pre_i[2] + r * pre_h[2])
            row.append((1 - z) * n + z * Hp[s][u])
        out.append(row)
    return torch.tensor(out, dtype=torch.float64)

import math

import numpy as np


def softmax_cross_entropy(logits, y):
    N, C = logits.shape
    total = 0.0
    dlogits = np.zeros((N, C))
    for n in range(N):
        row = logits[n]
        top = max(row)
        s = sum(math.exp(v - top) for v in row)
        total += (top + math.log(s)) - row[y[n]]
        for c in range(C):
            p = math.exp(row[c] - top) / s
            dlogits[n, c] = (p - (1.0 if c == y[n] else 0.0)) / N
    return total / N, dlogits

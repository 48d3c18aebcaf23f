import numpy as np


def softmax_cross_entropy(logits, y):
    N = logits.shape[0]
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(N), y]))
    d = p.copy()
    d[np.arange(N), y] -= 1
    return loss, d / N

import numpy as np


def softmax_cross_entropy(logits, y):
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.sum(log_p[np.arange(N), y])
    d = np.exp(log_p)
    d[np.arange(N), y] -= 1
    return loss, d

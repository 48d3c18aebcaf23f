import numpy as np


def softmax_cross_entropy(logits, y):
    N = logits.shape[0]
    m = logits.max(axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    log_p = logits - lse
    loss = -np.mean(log_p[np.arange(N), y])
    one_hot = np.zeros_like(logits)
    one_hot[np.arange(N), y] = 1.0
    return loss, (np.exp(log_p) - one_hot) / N

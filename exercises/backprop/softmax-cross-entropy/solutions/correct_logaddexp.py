import numpy as np


def softmax_cross_entropy(logits, y):
    N = logits.shape[0]
    # logaddexp.reduce is a stable log-sum-exp.
    lse = np.logaddexp.reduce(logits, axis=1)
    picked = logits[np.arange(N), y]
    loss = float(np.sum(lse - picked) / N)
    probs = np.exp(logits - lse[:, None])
    probs[np.arange(N), y] -= 1
    return loss, probs / N

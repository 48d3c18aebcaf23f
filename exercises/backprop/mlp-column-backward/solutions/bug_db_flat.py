import numpy as np


# db summed without keepdims: shape (n,) instead of b's (n, 1).
def mlp_column_backward(x, y, weights, biases):
    a = [x]
    for W, b in zip(weights, biases):
        a.append(1 / (1 + np.exp(-(W @ a[-1] + b))))
    loss = 0.5 * np.sum((a[-1] - y) ** 2)
    grads = []
    delta = (a[-1] - y) * a[-1] * (1 - a[-1])
    for l in reversed(range(len(weights))):
        grads[:0] = [delta @ a[l].T, delta.sum(axis=1)]
        delta = (weights[l].T @ delta) * a[l] * (1 - a[l])
    return (loss, *grads)

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def mlp_column_backward(x, y, weights, biases):
    a = [x]
    for W, b in zip(weights, biases):
        a.append(sigmoid(W @ a[-1] + b))
    loss = 0.5 * np.sum((a[-1] - y) ** 2)
    grads = []
    delta = (a[-1] - y) * a[-1] * (1 - a[-1])
    for l in reversed(range(len(weights))):
        # Prepend (dW, db) of layer l: the list ends up in the order dW1, db1, dW2, db2, ...
        grads[:0] = [delta @ a[l].T, np.sum(delta, axis=1, keepdims=True)]
        delta = (weights[l].T @ delta) * a[l] * (1 - a[l])
    return (loss, *grads)

import numpy as np


def mlp_column_backward(x, y, weights, biases):
    # One example (one column) at a time; the gradients of the examples add up.
    dWs = [np.zeros_like(W) for W in weights]
    dbs = [np.zeros_like(b) for b in biases]
    loss = 0.0
    for n in range(x.shape[1]):
        a = x[:, n : n + 1]
        acts = [a]
        for W, b in zip(weights, biases):
            z = W @ a + b
            a = 1 / (1 + np.exp(-z))
            acts.append(a)
        loss += 0.5 * float(((a - y[:, n : n + 1]) ** 2).sum())
        grad_a = a - y[:, n : n + 1]  # dLoss/da_L
        for l in range(len(weights) - 1, -1, -1):
            out = acts[l + 1]
            grad_z = grad_a * out * (1 - out)
            dWs[l] += grad_z @ acts[l].T
            dbs[l] += grad_z
            grad_a = weights[l].T @ grad_z
    result = [loss]
    for dW, db in zip(dWs, dbs):
        result += [dW, db]
    return tuple(result)

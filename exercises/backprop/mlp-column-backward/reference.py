"""Reference for mlp-column-backward: an L-layer sigmoid MLP in the column convention."""

from __future__ import annotations

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 0.5 * (1 + tanh(z / 2)) is the logistic function without any overflow for large |z|.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def mlp_column_backward(
    x: np.ndarray,
    y: np.ndarray,
    weights: tuple[np.ndarray, ...],
    biases: tuple[np.ndarray, ...],
) -> tuple[float | np.ndarray, ...]:
    """Loss and gradients of an L-layer sigmoid MLP, examples as columns.

    x (n_0, N) with one example per column, y (n_L, N); weights[l] (n_{l+1}, n_l) and
    biases[l] (n_{l+1}, 1) for l = 0 .. L-1. Forward: z = W a + b, a = sigmoid(z) at every layer,
    a_0 = x. Loss = 1/2 * sum over all entries of (a_L - y)^2 (summed over the batch, no mean).
    Returns the flat tuple (loss, dW_1, db_1, dW_2, db_2, ..., dW_L, db_L): each gradient is
    shaped like its parameter, in the order of PyTorch's model.parameters().
    """
    # Forward pass, keeping every activation: the backward pass needs a_{l-1} for dW_l and
    # a_l for sigma'(z_l) = a_l (1 - a_l).
    activations = [x]
    for W, b in zip(weights, biases, strict=True):
        activations.append(_sigmoid(W @ activations[-1] + b))  # b (n, 1) broadcasts over columns

    error = activations[-1] - y
    loss = 0.5 * float(np.sum(error * error))

    L = len(weights)
    dWs: list[np.ndarray] = [np.empty(0)] * L
    dbs: list[np.ndarray] = [np.empty(0)] * L
    # delta_l = dLoss/dz_l, one column per example. At the output layer the loss derivative
    # (a_L - y) goes through the sigmoid's derivative too.
    a = activations[-1]
    delta = error * a * (1.0 - a)
    for layer in range(L - 1, -1, -1):
        a_prev = activations[layer]
        # z = W a_prev + b: dW sums delta a_prevᵀ over the examples (the columns) ...
        dWs[layer] = delta @ a_prev.T
        # ... and db sums delta over the columns, kept as a column vector like b.
        dbs[layer] = delta.sum(axis=1, keepdims=True)
        if layer > 0:
            # Back through W (transposed), then through the previous layer's sigmoid.
            delta = (weights[layer].T @ delta) * a_prev * (1.0 - a_prev)
    # Flat and interleaved (W, b per layer): layer l's gradients sit at the same positions whatever
    # the depth L.
    return (loss, *(g for pair in zip(dWs, dbs, strict=True) for g in pair))

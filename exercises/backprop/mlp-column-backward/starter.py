def mlp_column_backward(x, y, weights, biases):
    """Loss and gradients of an L-layer sigmoid MLP in the column convention.

    x:       (n_0, N) float64, one example per COLUMN.
    y:       (n_L, N) float64, the targets, one column per example.
    weights: tuple of L arrays; weights[l] has shape (n_{l+1}, n_l).
    biases:  tuple of L arrays; biases[l] has shape (n_{l+1}, 1).

    Forward: a_0 = x; z_l = W_l a_{l-1} + b_l; a_l = sigmoid(z_l) for every layer (the last too).
    Loss = 1/2 * sum of (a_L - y)**2 over all entries (a sum over the batch, not a mean).

    Returns the flat tuple (loss, dW_1, db_1, dW_2, db_2, ..., dW_L, db_L), each gradient
    with the shape of its parameter.
    """
    raise NotImplementedError

def embedding_backward(idx, dout, vocab_size):
    """Backward pass of an embedding lookup out = W[idx].

    idx:        (N, T) int64, token indices in [0, vocab_size); indices repeat.
    dout:       (N, T, D) float64, upstream gradient dL/dout.
    vocab_size: int, the number of rows of W.

    Returns dW: (vocab_size, D) float64; rows that no index selects are zero.
    """
    raise NotImplementedError

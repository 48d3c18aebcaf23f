import numpy as np


def embedding_backward(idx, dout, vocab_size):
    # out = one_hot(idx) @ W, so dW = one_hot(idx).T @ dout (flattening the tokens).
    flat = idx.ravel()
    one_hot = np.zeros((flat.size, vocab_size))
    one_hot[np.arange(flat.size), flat] = 1.0
    return one_hot.T @ dout.reshape(flat.size, -1)

import numpy as np


def embedding_backward(idx, dout, vocab_size):
    D = dout.shape[-1]
    dW = np.zeros((vocab_size, D))
    counts = np.zeros(vocab_size)
    np.add.at(dW, idx.ravel(), dout.reshape(-1, D))
    np.add.at(counts, idx.ravel(), 1)
    return dW / np.maximum(counts, 1)[:, None]

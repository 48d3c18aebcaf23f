import numpy as np


def embedding_backward(idx, dout, vocab_size):
    D = dout.shape[-1]
    dW = np.zeros((vocab_size, D))
    np.add.at(dW, idx.T.ravel(), dout.reshape(-1, D))
    return dW

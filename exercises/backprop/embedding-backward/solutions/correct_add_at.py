import numpy as np


def embedding_backward(idx, dout, vocab_size):
    dW = np.zeros((vocab_size, dout.shape[2]))
    np.add.at(dW, idx, dout)
    return dW

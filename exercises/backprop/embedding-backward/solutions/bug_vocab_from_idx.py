import numpy as np


def embedding_backward(idx, dout, vocab_size):
    dW = np.zeros((idx.max() + 1, dout.shape[-1]))
    np.add.at(dW, idx, dout)
    return dW

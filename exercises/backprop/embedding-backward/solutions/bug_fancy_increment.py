import numpy as np


def embedding_backward(idx, dout, vocab_size):
    dW = np.zeros((vocab_size, dout.shape[-1]))
    dW[idx] += dout
    return dW

import numpy as np


def embedding_backward(idx, dout, vocab_size):
    N, T, D = dout.shape
    dW = np.zeros((vocab_size, D))
    for n in range(N):
        for t in range(T):
            dW[idx[n, t]] += dout[n, t]
    return dW

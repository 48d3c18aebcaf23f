import numpy as np


def embedding_backward(idx, dout, vocab_size):
    dW = np.zeros((dout.shape[-1], vocab_size))
    N, T, D = dout.shape
    for n in range(N):
        for t in range(T):
            dW[:, idx[n, t]] += dout[n, t]
    return dW

import numpy as np


def embedding_backward(idx: np.ndarray, dout: np.ndarray, vocab_size: int) -> np.ndarray:
    """Gradient of out = W[idx] with respect to the embedding table W.

    idx (N, T) int64 in [0, vocab_size), dout (N, T, D) -> dW (vocab_size, D).
    """
    D = dout.shape[-1]
    # Rows that no token selects get no gradient: start from zeros.
    dW = np.zeros((vocab_size, D), dtype=dout.dtype)
    # Token (n, t) copied row idx[n, t] forward, so its gradient is added to that row.
    # np.add.at is unbuffered: a row selected k times receives all k contributions, whereas
    # dW[idx] += dout would keep only the last one.
    np.add.at(dW, idx.reshape(-1), dout.reshape(-1, D))
    return dW

"""Valid cross-correlation (what nn.Conv2d computes), stride 1: out[i, j] = sum K * X[i:i+2, j:j+2]."""

import numpy as np


def _xcorr(X, K):
    X, K = np.array(X), np.array(K)
    kh, kw = K.shape
    rows, cols = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    return np.array(
        [[(X[i : i + kh, j : j + kw] * K).sum() for j in range(cols)] for i in range(rows)]
    )


def answer(X, K):
    return _xcorr(X, K)


def flipped_kernel(X, K):
    return _xcorr(X, np.array(K)[::-1, ::-1])


def transposed(X, K):
    return _xcorr(X, K).T

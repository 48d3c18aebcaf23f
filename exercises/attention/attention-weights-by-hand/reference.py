"""A = softmax(Q K^T / sqrt(d)) along the keys, for 2 queries and 3 keys of small integers.

params(rng) draws d (2 or 3) and Q, K; accept() refuses saturated softmaxes (a weight above 0.9
or below 0.03) and ties, which would hide a missing scaling or the wrong axis."""

import numpy as np


def params(rng):
    d = int(rng.choice([2, 3]))
    Q = rng.integers(-2, 3, size=(2, d))
    K = rng.integers(-2, 3, size=(3, d))
    return {"d": d, "Q": Q.tolist(), "K": K.tolist()}


def _softmax(s, axis):
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _scores(d, Q, K):
    return np.array(Q) @ np.array(K).T


def accept(d, Q, K):
    s = _scores(d, Q, K)
    if any(len(set(row)) < 3 for row in s.tolist()):
        return False
    a = _softmax(s / np.sqrt(d), axis=1)
    return bool(a.max() < 0.9 and a.min() > 0.03)


def answer(d, Q, K):
    return _softmax(_scores(d, Q, K) / np.sqrt(d), axis=1)


def no_scaling(d, Q, K):
    return _softmax(_scores(d, Q, K).astype(float), axis=1)


def scaled_by_d(d, Q, K):
    return _softmax(_scores(d, Q, K) / d, axis=1)


def softmax_over_queries(d, Q, K):
    return _softmax(_scores(d, Q, K) / np.sqrt(d), axis=0)


def no_softmax(d, Q, K):
    return _scores(d, Q, K) / np.sqrt(d)

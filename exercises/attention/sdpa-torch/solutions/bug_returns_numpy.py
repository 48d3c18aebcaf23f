import numpy as np


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    q, k, v = q.numpy(), k.numpy(), v.numpy()
    s = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    if mask is not None:
        s = np.where(mask.numpy(), s, -np.inf)
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    return (w / w.sum(axis=-1, keepdims=True)) @ v

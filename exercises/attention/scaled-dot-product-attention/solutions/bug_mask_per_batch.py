import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    B = q.shape[0]
    outs = []
    for b in range(B):
        s = q[b] @ k[b].T / np.sqrt(q.shape[-1])
        if mask is not None:
            s = np.where(mask[b], s, -np.inf)  # bug: assumes a leading batch axis of size B
        s = s - s.max(axis=-1, keepdims=True)
        w = np.exp(s)
        w = w / w.sum(axis=-1, keepdims=True)
        outs.append(w @ v[b])
    return np.stack(outs)

import numpy as np


def attention_backward(q, k, v, dout):
    d = q.shape[-1]
    s = q @ k.transpose(0, 2, 1) / np.sqrt(d)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p = p / p.sum(axis=-1, keepdims=True)
    dv = p.transpose(0, 2, 1) @ dout
    dp = dout @ v.transpose(0, 2, 1)
    ds = p * (dp - (p * dp).sum(axis=-1, keepdims=True))
    dq = ds @ k  # bug: / sqrt(d) forgotten
    dk = ds.transpose(0, 2, 1) @ q
    return dq, dk, dv

import numpy as np


def attention_backward(q, k, v, dout):
    # FlashAttention's form: rowsum(P * dP) = rowsum(dout * out), one dot product per query
    scale = q.shape[-1] ** -0.5
    s = q @ k.transpose(0, 2, 1) * scale
    s -= s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    out = p @ v
    delta = np.sum(dout * out, axis=-1, keepdims=True)  # (B, Tq, 1)
    dv = p.transpose(0, 2, 1) @ dout
    ds = p * (dout @ v.transpose(0, 2, 1) - delta)
    dq = scale * (ds @ k)
    dk = scale * (ds.transpose(0, 2, 1) @ q)
    return dq, dk, dv

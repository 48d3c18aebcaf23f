import numpy as np


def attention_backward(q, k, v, dout):
    d = q.shape[2]
    s = np.einsum("bid,bjd->bij", q, k) / np.sqrt(d)
    p = np.exp(s - s.max(axis=2, keepdims=True))
    p /= p.sum(axis=2, keepdims=True)
    dv = np.einsum("bij,bie->bje", p, dout)
    dp = np.einsum("bie,bje->bij", dout, v)
    ds = p * (dp - (p * dp).sum(axis=2, keepdims=True))
    dq = np.einsum("bij,bjd->bid", ds, k) / np.sqrt(d)
    dk = np.einsum("bij,bid->bjd", ds, q) / np.sqrt(d)
    return dq, dk, dv

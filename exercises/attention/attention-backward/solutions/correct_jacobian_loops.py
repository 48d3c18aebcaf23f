import numpy as np


def attention_backward(q, k, v, dout):
    B, Tq, d = q.shape
    dq = np.zeros_like(q)
    dk = np.zeros_like(k)
    dv = np.zeros_like(v)
    for b in range(B):
        for i in range(Tq):
            s = k[b] @ q[b, i] / np.sqrt(d)  # scores of query i, (Tk,)
            p = np.exp(s - s.max())
            p /= p.sum()
            # out_i = sum_j p_j v_j
            dv[b] += np.outer(p, dout[b, i])
            dp = v[b] @ dout[b, i]  # (Tk,)
            jac = np.diag(p) - np.outer(p, p)  # softmax Jacobian, symmetric
            ds = jac @ dp
            dq[b, i] += ds @ k[b] / np.sqrt(d)
            dk[b] += np.outer(ds, q[b, i]) / np.sqrt(d)
    return dq, dk, dv

import numpy as np


def multi_head_attention(x_q, x_kv, wq, wk, wv, wo, num_heads):
    E = x_q.shape[-1]
    d = E // num_heads
    # split the weights instead of the activations: column block h of w is head h's projection
    Wq = wq.reshape(E, num_heads, d)
    Wk = wk.reshape(E, num_heads, d)
    Wv = wv.reshape(E, num_heads, d)
    Wo = wo.reshape(num_heads, d, E)  # row block h of wo reads head h's output
    q = np.einsum("bte,ehd->bhtd", x_q, Wq)
    k = np.einsum("bse,ehd->bhsd", x_kv, Wk)
    v = np.einsum("bse,ehd->bhsd", x_kv, Wv)
    s = np.einsum("bhtd,bhsd->bhts", q, k) / np.sqrt(d)
    s -= s.max(axis=3, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=3, keepdims=True)
    return np.einsum("bhts,bhsd,hde->bte", p, v, Wo, optimize=True)

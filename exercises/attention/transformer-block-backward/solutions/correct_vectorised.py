import numpy as np


def transformer_block_backward(x, wq, wk, wv, wo, w1, w2, dy):
    B, T, E = x.shape

    def ln(z):
        zc = z - z.mean(-1, keepdims=True)
        sd = np.sqrt((zc**2).mean(-1, keepdims=True) + 1e-5)
        return zc / sd, sd

    def ln_back(g, zhat, sd):
        n = zhat.shape[-1]
        return (n * g - g.sum(-1, keepdims=True) - zhat * (g * zhat).sum(-1, keepdims=True)) / (
            n * sd
        )

    a, sd1 = ln(x)
    q, k, v = a @ wq, a @ wk, a @ wv
    s = np.einsum("bid,bjd->bij", q, k) / np.sqrt(E)
    s[:, np.triu_indices(T, 1)[0], np.triu_indices(T, 1)[1]] = -np.inf
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    c = np.einsum("bij,bjd->bid", p, v)
    h = x + c @ wo
    m, sd2 = ln(h)
    z = m @ w1
    r = np.where(z > 0, z, 0.0)

    dw2 = np.einsum("btf,bte->fe", r, dy)
    dz = np.where(z > 0, dy @ w2.T, 0.0)
    dw1 = np.einsum("bte,btf->ef", m, dz)
    dh = dy + ln_back(dz @ w1.T, m, sd2)
    dwo = np.einsum("bte,btf->ef", c, dh)
    dc = dh @ wo.T
    dp = np.einsum("bid,bjd->bij", dc, v)
    dv = np.einsum("bij,bid->bjd", p, dc)
    ds = p * (dp - np.einsum("bij,bij->bi", p, dp)[..., None])
    dq = np.einsum("bij,bjd->bid", ds, k) / np.sqrt(E)
    dk = np.einsum("bij,bid->bjd", ds, q) / np.sqrt(E)
    dwq = np.einsum("bte,btf->ef", a, dq)
    dwk = np.einsum("bte,btf->ef", a, dk)
    dwv = np.einsum("bte,btf->ef", a, dv)
    dx = dh + ln_back(dq @ wq.T + dk @ wk.T + dv @ wv.T, a, sd1)
    return dx, dwq, dwk, dwv, dwo, dw1, dw2

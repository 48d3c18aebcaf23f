import numpy as np


def ln_jacobian(row):
    # d LN(row) / d row for one row of E features: (I - 1/E - x̂ x̂ᵀ / E) / σ.
    E = row.size
    mu = row.mean()
    sd = np.sqrt(((row - mu) ** 2).mean() + 1e-5)
    xhat = (row - mu) / sd
    return (np.eye(E) - 1.0 / E - np.outer(xhat, xhat) / E) / sd, xhat


def transformer_block_backward(x, wq, wk, wv, wo, w1, w2, dy):
    B, T, E = x.shape
    grads = {n: np.zeros_like(w) for n, w in
             (("wq", wq), ("wk", wk), ("wv", wv), ("wo", wo), ("w1", w1), ("w2", w2))}
    dx = np.zeros_like(x)
    for b in range(B):
        J1, a = zip(*(ln_jacobian(x[b, t]) for t in range(T)))
        a = np.array(a)
        q, k, v = a @ wq, a @ wk, a @ wv
        p = np.zeros((T, T))
        for t in range(T):  # causal softmax, row by row
            s = q[t] @ k[: t + 1].T / np.sqrt(E)
            e = np.exp(s - s.max())
            p[t, : t + 1] = e / e.sum()
        c = p @ v
        h = x[b] + c @ wo
        J2, m = zip(*(ln_jacobian(h[t]) for t in range(T)))
        m = np.array(m)
        z = m @ w1
        r = np.maximum(z, 0)

        grads["w2"] += r.T @ dy[b]
        dz = (dy[b] @ w2.T) * (z > 0)
        grads["w1"] += m.T @ dz
        dm = dz @ w1.T
        dh = dy[b] + np.array([J2[t].T @ dm[t] for t in range(T)])
        grads["wo"] += c.T @ dh
        dc = dh @ wo.T
        dp = dc @ v.T
        ds = np.zeros((T, T))
        for t in range(T):  # softmax Jacobian: diag(p) - p pᵀ
            ds[t] = (np.diag(p[t]) - np.outer(p[t], p[t])) @ dp[t]
        dq = ds @ k / np.sqrt(E)
        dk = ds.T @ q / np.sqrt(E)
        dv = p.T @ dc
        grads["wq"] += a.T @ dq
        grads["wk"] += a.T @ dk
        grads["wv"] += a.T @ dv
        da = dq @ wq.T + dk @ wk.T + dv @ wv.T
        dx[b] = dh + np.array([J1[t].T @ da[t] for t in range(T)])
    return (dx, grads["wq"], grads["wk"], grads["wv"], grads["wo"], grads["w1"], grads["w2"])

"""Reference for transformer-block-backward: the gradients of a small pre-norm block (one causal
attention head, LayerNorms without parameters, a ReLU MLP without biases)."""

from __future__ import annotations

import numpy as np

EPS = 1e-5


def _layer_norm(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ẑ, σ): the normalised rows and their standard deviations sqrt(var + eps), (..., 1)."""
    mu = z.mean(axis=-1, keepdims=True)
    sigma = np.sqrt(((z - mu) ** 2).mean(axis=-1, keepdims=True) + EPS)
    return (z - mu) / sigma, sigma


def _layer_norm_backward(dzhat: np.ndarray, zhat: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    # ẑ = (z - μ)/σ with μ and σ functions of the whole row: besides dẑ/σ, moving one feature
    # moves the mean (the - mean(dẑ) term) and the variance (the - ẑ mean(dẑ ẑ) term).
    return (
        dzhat - dzhat.mean(axis=-1, keepdims=True) - zhat * (dzhat * zhat).mean(-1, keepdims=True)
    ) / sigma


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def transformer_block_backward(
    x: np.ndarray,
    wq: np.ndarray,
    wk: np.ndarray,
    wv: np.ndarray,
    wo: np.ndarray,
    w1: np.ndarray,
    w2: np.ndarray,
    dy: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Gradients of sum(y * dy) for y = h + relu(LN(h) w1) w2, h = x + attn(LN(x)).

    x, dy (B, T, E); wq, wk, wv, wo (E, E); w1 (E, F); w2 (F, E). attn(a) = softmax(q kᵀ / sqrt(E)
    + causal mask) v wo with q, k, v = a wq, a wk, a wv. Returns (dx, dwq, dwk, dwv, dwo, dw1, dw2)
    with the shapes of x and of the weights; weight gradients are summed over batch and positions.
    """
    T, E = x.shape[1], x.shape[2]
    scale = 1.0 / np.sqrt(E)

    # Forward again, keeping what the backward needs.
    a, sigma1 = _layer_norm(x)
    q, k, v = a @ wq, a @ wk, a @ wv
    s = q @ _t(k) * scale
    s = np.where(np.tril(np.ones((T, T), dtype=bool)), s, -np.inf)  # position t sees j <= t
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    c = p @ v  # (B, T, E): the head's output, before wo
    h = x + c @ wo
    m, sigma2 = _layer_norm(h)
    z = m @ w1
    r = np.maximum(z, 0.0)

    # MLP branch: y = h + r w2. A weight gradient sums over every (batch, position) row.
    dw2 = np.einsum("btf,bte->fe", r, dy)
    dz = (dy @ w2.T) * (z > 0)
    dw1 = np.einsum("bte,btf->ef", m, dz)
    # h reaches y twice, directly and through the MLP: the two gradients add up.
    dh = dy + _layer_norm_backward(dz @ w1.T, m, sigma2)

    # Attention branch: h = x + c wo.
    dwo = np.einsum("bte,btf->ef", c, dh)
    dc = dh @ wo.T
    dv = _t(p) @ dc
    dp = dc @ _t(v)
    # Softmax backward, row by row (over the keys). Masked entries have p = 0, so they get no
    # gradient without masking again.
    ds = p * (dp - (p * dp).sum(axis=-1, keepdims=True))
    dq = ds @ k * scale
    dk = _t(ds) @ q * scale
    dwq = np.einsum("bte,btf->ef", a, dq)
    dwk = np.einsum("bte,btf->ef", a, dk)
    dwv = np.einsum("bte,btf->ef", a, dv)
    da = dq @ wq.T + dk @ wk.T + dv @ wv.T
    # The first residual: x reaches h directly and through LN1 and the attention.
    dx = dh + _layer_norm_backward(da, a, sigma1)
    return dx, dwq, dwk, dwv, dwo, dw1, dw2

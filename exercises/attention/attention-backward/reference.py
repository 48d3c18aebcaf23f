import numpy as np


def attention_backward(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, dout: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of out = softmax(q kᵀ / sqrt(d)) v (softmax over the keys, no mask).

    q (B, Tq, d), k (B, Tk, d), v (B, Tk, dv), dout (B, Tq, dv).
    Returns (dq, dk, dv) with the shapes of q, k, v.
    """
    d = q.shape[-1]
    scale = 1.0 / np.sqrt(d)
    kT = np.swapaxes(k, -1, -2)

    # Forward again: the backward needs the attention weights P.
    s = q @ kT * scale  # (B, Tq, Tk)
    s = s - s.max(axis=-1, keepdims=True)  # stable softmax
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)

    # out = P v  =>  dv = Pᵀ dout, dP = dout vᵀ.
    dv = np.swapaxes(p, -1, -2) @ dout  # (B, Tk, dv)
    dp = dout @ np.swapaxes(v, -1, -2)  # (B, Tq, Tk)

    # Softmax Jacobian per row: dS_j = P_j (dP_j - sum_l P_l dP_l). The sum runs over the keys,
    # the axis the softmax normalised.
    ds = p * (dp - np.sum(p * dp, axis=-1, keepdims=True))

    # S = q kᵀ * scale  =>  dq = dS k * scale, dk = dSᵀ q * scale.
    dq = ds @ k * scale  # (B, Tq, d)
    dk = np.swapaxes(ds, -1, -2) @ q * scale  # (B, Tk, d)
    return dq, dk, dv

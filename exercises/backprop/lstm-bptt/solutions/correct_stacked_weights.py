import numpy as np


def sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def lstm_bptt(x, h0, c0, wx, wh, b, dh):
    # One weight matrix for [x_t, h_(t-1)]: its gradient splits back into dwx and dwh.
    N, T, D = x.shape
    H = h0.shape[1]
    W = np.vstack([wx, wh])  # (D + H, 4H)
    cache = []
    h, c = h0, c0
    for t in range(T):
        z = np.concatenate([x[:, t], h], axis=1)  # (N, D + H)
        a = z @ W + b
        gates = np.concatenate([sigmoid(a[:, : 3 * H]), np.tanh(a[:, 3 * H :])], axis=1)
        c_new = gates[:, H : 2 * H] * c + gates[:, :H] * gates[:, 3 * H :]
        cache.append((z, c, gates, c_new))
        h, c = gates[:, 2 * H : 3 * H] * np.tanh(c_new), c_new

    dW = np.zeros_like(W)
    db = np.zeros_like(b)
    dz_all = np.zeros((N, T, D + H))
    dh_next, dc_next = 0.0, 0.0
    for t in reversed(range(T)):
        z, c_old, gates, c_new = cache[t]
        i, f, o, g = (gates[:, k * H : (k + 1) * H] for k in range(4))
        dht = dh[:, t] + dh_next
        tc = np.tanh(c_new)
        dct = dc_next + dht * o * (1 - tc * tc)
        dgates = np.concatenate([dct * g, dct * c_old, dht * tc, dct * i], axis=1)
        local = np.concatenate([gates[:, : 3 * H] * (1 - gates[:, : 3 * H]), 1 - g * g], axis=1)
        da = dgates * local
        dW += z.T @ da
        db += da.sum(axis=0)
        dz = da @ W.T
        dz_all[:, t] = dz
        dh_next = dz[:, D:]
        dc_next = dct * f
    return dz_all[:, :, :D], dh_next, dc_next, dW[:D], dW[D:], db

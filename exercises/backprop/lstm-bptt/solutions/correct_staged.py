import numpy as np


def sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


def lstm_bptt(x, h0, c0, wx, wh, b, dh):
    N, T, D = x.shape
    H = h0.shape[1]
    hs = np.zeros((N, T + 1, H))
    cs = np.zeros((N, T + 1, H))
    hs[:, 0], cs[:, 0] = h0, c0
    I, F, O, G = (np.zeros((N, T, H)) for _ in range(4))
    for t in range(T):
        a = x[:, t] @ wx + hs[:, t] @ wh + b
        ai, af, ao, ag = np.split(a, 4, axis=1)
        I[:, t], F[:, t], O[:, t], G[:, t] = sigmoid(ai), sigmoid(af), sigmoid(ao), np.tanh(ag)
        cs[:, t + 1] = F[:, t] * cs[:, t] + I[:, t] * G[:, t]
        hs[:, t + 1] = O[:, t] * np.tanh(cs[:, t + 1])

    dx = np.zeros_like(x)
    dwx = np.zeros_like(wx)
    dwh = np.zeros_like(wh)
    db = np.zeros_like(b)
    dh_carry = np.zeros((N, H))
    dc_carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        i, f, o, g = I[:, t], F[:, t], O[:, t], G[:, t]
        tc = np.tanh(cs[:, t + 1])
        dht = dh[:, t] + dh_carry
        dct = dc_carry + dht * o * (1 - tc**2)
        dai = dct * g * i * (1 - i)
        daf = dct * cs[:, t] * f * (1 - f)
        dao = dht * tc * o * (1 - o)
        dag = dct * i * (1 - g**2)
        da = np.hstack([dai, daf, dao, dag])
        dx[:, t] = da @ wx.T
        dwx += x[:, t].T @ da
        dwh += hs[:, t].T @ da
        db += da.sum(axis=0)
        dh_carry = da @ wh.T
        dc_carry = dct * f
    return dx, dh_carry, dc_carry, dwx, dwh, db

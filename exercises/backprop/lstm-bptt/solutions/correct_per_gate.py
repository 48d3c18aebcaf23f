import numpy as np


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def lstm_bptt(x, h0, c0, wx, wh, b, dh):
    N, T, D = x.shape
    H = h0.shape[1]
    names = ["i", "f", "o", "g"]
    Wx = {k: wx[:, n * H : (n + 1) * H] for n, k in enumerate(names)}
    Wh = {k: wh[:, n * H : (n + 1) * H] for n, k in enumerate(names)}
    B = {k: b[n * H : (n + 1) * H] for n, k in enumerate(names)}

    steps = []
    h, c = h0.copy(), c0.copy()
    for t in range(T):
        pre = {k: x[:, t] @ Wx[k] + h @ Wh[k] + B[k] for k in names}
        act = {k: sig(pre[k]) for k in "ifo"}
        act["g"] = np.tanh(pre["g"])
        c_new = act["f"] * c + act["i"] * act["g"]
        steps.append({"h": h, "c": c, "c_new": c_new, **act})
        h, c = act["o"] * np.tanh(c_new), c_new

    dWx = {k: np.zeros((D, H)) for k in names}
    dWh = {k: np.zeros((H, H)) for k in names}
    dB = {k: np.zeros(H) for k in names}
    dx = np.zeros((N, T, D))
    dh_next = np.zeros((N, H))
    dc_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        s = steps[t]
        th = np.tanh(s["c_new"])
        dht = dh[:, t] + dh_next
        dct = dc_next + dht * s["o"] * (1 - th**2)
        dpre = {
            "i": dct * s["g"] * s["i"] * (1 - s["i"]),
            "f": dct * s["c"] * s["f"] * (1 - s["f"]),
            "o": dht * th * s["o"] * (1 - s["o"]),
            "g": dct * s["i"] * (1 - s["g"] ** 2),
        }
        dh_next = np.zeros((N, H))
        for k in names:
            dWx[k] += x[:, t].T @ dpre[k]
            dWh[k] += s["h"].T @ dpre[k]
            dB[k] += dpre[k].sum(axis=0)
            dx[:, t] += dpre[k] @ Wx[k].T
            dh_next += dpre[k] @ Wh[k].T
        dc_next = dct * s["f"]
    return (
        dx,
        dh_next,
        dc_next,
        np.concatenate([dWx[k] for k in names], axis=1),
        np.concatenate([dWh[k] for k in names], axis=1),
        np.concatenate([dB[k] for k in names]),
    )

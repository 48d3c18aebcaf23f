import numpy as np


def mlp_column_backward(x, y, weights, biases):
    # Forward with z kept; sigma'(z) computed from z, in an overflow-free form.
    zs, acts = [], [x]
    for W, b in zip(weights, biases):
        z = np.einsum("ij,jn->in", W, acts[-1]) + b
        zs.append(z)
        acts.append(0.5 * (1 + np.tanh(z / 2)))

    def dsigmoid(z):
        s = 0.5 * (1 + np.tanh(z / 2))
        return s * (1 - s)

    L = len(weights)
    deltas = [None] * L
    deltas[-1] = (acts[-1] - y) * dsigmoid(zs[-1])
    for l in range(L - 2, -1, -1):
        deltas[l] = np.einsum("ji,jn->in", weights[l + 1], deltas[l + 1]) * dsigmoid(zs[l])
    out = [float(np.einsum("in,in->", acts[-1] - y, acts[-1] - y) / 2)]
    for l in range(L):
        out.append(np.einsum("in,jn->ij", deltas[l], acts[l]))
        out.append(deltas[l].sum(axis=1)[:, None])
    return tuple(out)

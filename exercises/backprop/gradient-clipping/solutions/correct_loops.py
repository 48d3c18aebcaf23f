import math


def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    grads = [dw1, db1, dw2, db2]
    squares = 0.0
    for g in grads:
        for value in g.flat:
            squares += value * value
    total = math.sqrt(squares)
    scale = 1.0
    if max_norm / (total + 1e-6) < 1.0:
        scale = max_norm / (total + 1e-6)
    out = [g.copy() for g in grads]
    for g in out:
        for idx in range(g.size):
            g.flat[idx] *= scale
    return out[0], out[1], out[2], out[3], total

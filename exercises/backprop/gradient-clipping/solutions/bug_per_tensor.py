import numpy as np


def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    grads = [dw1, db1, dw2, db2]
    total = np.sqrt(sum((g**2).sum() for g in grads))
    out = []
    for g in grads:
        n = np.linalg.norm(g)
        out.append(g * min(1.0, max_norm / (n + 1e-6)))  # bug: each tensor on its own
    return (*out, float(total))

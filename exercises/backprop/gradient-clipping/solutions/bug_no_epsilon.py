import numpy as np


def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    grads = [dw1, db1, dw2, db2]
    total = np.sqrt(sum((g**2).sum() for g in grads))
    if total > max_norm:
        grads = [g * (max_norm / total) for g in grads]  # bug: no + 1e-6
    return (*grads, float(total))

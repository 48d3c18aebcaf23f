import numpy as np


def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    grads = [dw1, db1, dw2, db2]
    total = np.sqrt(sum((g**2).sum() for g in grads))
    grads = [g * min(1.0, max_norm / (total + 1e-6)) for g in grads]
    after = np.sqrt(sum((g**2).sum() for g in grads))  # bug: the norm after clipping
    return (*grads, float(after))

import numpy as np


def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    grads = [dw1, db1, dw2, db2]
    total = np.sqrt(sum((g**2).sum() for g in grads))
    scale = max_norm / (total + 1e-6)  # bug: no min(1, ...)
    return (*(g * scale for g in grads), float(total))

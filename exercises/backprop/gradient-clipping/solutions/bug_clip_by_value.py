import numpy as np


def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    grads = [dw1, db1, dw2, db2]
    total = np.sqrt(sum((g**2).sum() for g in grads))
    out = [np.clip(g, -max_norm, max_norm) for g in grads]  # bug: clip by value
    return (*out, float(total))

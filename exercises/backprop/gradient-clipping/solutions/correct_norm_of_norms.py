import numpy as np


def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    grads = [dw1, db1, dw2, db2]
    norms = np.array([np.linalg.norm(g) for g in grads])  # torch's way: a norm of norms
    total = np.linalg.norm(norms)
    coef = np.clip(max_norm / (total + 1e-6), None, 1.0)
    for g in grads:
        g *= coef  # in place, like clip_grad_norm_
    return dw1, db1, dw2, db2, total

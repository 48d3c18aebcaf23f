import numpy as np


def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    flat = np.concatenate([g.ravel() for g in (dw1, db1, dw2, db2)])
    total = np.linalg.norm(flat)
    if total > max_norm:
        factor = max_norm / (total + 1e-6)
        dw1, db1, dw2, db2 = dw1 * factor, db1 * factor, dw2 * factor, db2 * factor
    return dw1, db1, dw2, db2, float(total)

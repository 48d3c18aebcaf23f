def clip_grad_norm(dw1, db1, dw2, db2, max_norm):
    """Clip the gradients of a two-layer network by their global norm.

    dw1: (D, H), db1: (H,), dw2: (H, C), db2: (C,) float64 arrays; max_norm: a float.
    total_norm = sqrt(sum of the squares of every entry of the four arrays)
    scale = min(1, max_norm / (total_norm + 1e-6)); every gradient is multiplied by scale.
    Returns the tuple (dw1, db1, dw2, db2, total_norm), total_norm (a float) before clipping.
    """
    return dw1, db1, dw2, db2, 0.0

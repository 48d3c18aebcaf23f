"""Inputs of sgd-momentum-step, drawn as NumPy arrays (the engine passes float64 tensors): param,
grad, buf (all (R, C)), lr, momentum, weight_decay (Python floats).

options: first (buf = 0: the first step), momentum, weight_decay (drawn when absent), buf_scale.
"""

from __future__ import annotations

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    shape = (dims["R"], dims["C"])
    momentum = float(options.get("momentum", rng.choice([0.5, 0.8, 0.9])))
    weight_decay = float(options.get("weight_decay", rng.choice([0.01, 0.05, 0.1])))
    # lr large enough that weight decay (lr * weight_decay * param) moves the parameter well
    # beyond the tolerance of the comparison.
    lr = float(rng.choice([0.02, 0.05, 0.1]))
    param = rng.standard_normal(shape)
    grad = rng.standard_normal(shape) * rng.uniform(0.5, 2.0)
    if options.get("first"):
        buf = np.zeros(shape)  # no momentum yet: the buffer starts at 0
    else:
        # An earlier buffer in gradient units, correlated with the new gradient as in training.
        scale = float(options.get("buf_scale", 1.0))
        buf = scale * (0.5 * grad + rng.standard_normal(shape))
    return {
        "param": param,
        "grad": grad,
        "buf": buf,
        "lr": lr,
        "momentum": momentum,
        "weight_decay": weight_decay,
    }

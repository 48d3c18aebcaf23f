"""Inputs of adam-step: param, grad, m, v (all (R, C)), t (int), lr, beta1, beta2, eps (floats).

m and v are what Adam's state really is after t - 1 updates: the moving averages of an
earlier gradient history, simulated here, so that their size fits t (the bias correction
then matters as much as it does in training).

options: t, beta1, beta2 (drawn when absent), scale (size of the gradients).
"""

from __future__ import annotations

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    shape = (dims["R"], dims["C"])
    t = int(options.get("t", rng.integers(2, 60)))
    beta1 = float(options.get("beta1", rng.choice([0.8, 0.9, 0.95])))
    beta2 = float(options.get("beta2", rng.choice([0.99, 0.995, 0.999])))
    lr = float(rng.choice([0.003, 0.01, 0.05]))
    scale = float(options.get("scale", 1.0))
    # Each parameter has its own gradient size and drift: v then varies across the entries,
    # so an update that ignores v (or uses a wrong one) cannot pass.
    size = scale * rng.uniform(0.2, 3.0, size=shape)
    drift = rng.standard_normal(shape)
    m = np.zeros(shape)
    v = np.zeros(shape)
    for _ in range(t - 1):
        g = size * (drift + rng.standard_normal(shape))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
    return {
        "param": rng.standard_normal(shape),
        "grad": size * (drift + rng.standard_normal(shape)),
        "m": m,
        "v": v,
        "t": t,
        "lr": lr,
        "beta1": beta1,
        "beta2": beta2,
        "eps": 1e-8,
    }

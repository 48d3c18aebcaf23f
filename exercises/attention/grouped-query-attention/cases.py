"""Inputs of grouped-query-attention, drawn as NumPy arrays (the engine passes them as float64
tensors)."""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, G, R = dims["B"], dims["G"], dims["R"]
    Tq, Tk, d, dv = dims["Tq"], dims["Tk"], dims["d"], dims["dv"]
    q = rng.standard_normal((B, G * R, Tq, d))
    k = rng.standard_normal((B, G, Tk, d))
    v = rng.standard_normal((B, G, Tk, dv))
    if options.get("large"):
        # A common component c = 100 along the first axis of every query and key adds
        # c^2 / sqrt(d) (~3000 and more) to every score: exp() of a raw score overflows.
        q[..., 0] = 100.0
        k[..., 0] = 100.0
    return {"q": q, "k": k, "v": v}

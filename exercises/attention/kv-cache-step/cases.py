"""Inputs of kv-cache-step, drawn as NumPy arrays (the engine passes them as float64 tensors)."""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, H, T, d, dv = dims["B"], dims["H"], dims["T"], dims["d"], dims["dv"]
    q = rng.standard_normal((B, H, d))
    k_new = rng.standard_normal((B, H, d))
    v_new = rng.standard_normal((B, H, dv))
    k_cache = rng.standard_normal((B, H, T, d))
    v_cache = rng.standard_normal((B, H, T, dv))
    if options.get("self_aligned"):
        # The query points along its own key: the new position gets the largest weight, so
        # leaving it out changes the output the most.
        q = 1.5 * k_new + 0.3 * q
    if options.get("large"):
        # A common component c = 100 along the first axis of the query and of every key adds
        # c^2 / sqrt(d) (~3000 and more) to every score: exp() of a raw score overflows.
        q[..., 0] = 100.0
        k_new[..., 0] = 100.0
        k_cache[..., 0] = 100.0
    return {"q": q, "k_new": k_new, "v_new": v_new, "k_cache": k_cache, "v_cache": v_cache}

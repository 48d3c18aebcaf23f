import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, Tq, Tk, d, dv = dims["B"], dims["Tq"], dims["Tk"], dims["d"], dims["dv"]
    # "peaked" makes the softmax sharper (scores of a few units up to ~15) without saturating it:
    # a saturated softmax would have a ~0 Jacobian and hide errors in dq and dk.
    scale = options.get("scale", 1.0)
    return {
        "q": rng.standard_normal((B, Tq, d)) * scale,
        "k": rng.standard_normal((B, Tk, d)),
        "v": rng.standard_normal((B, Tk, dv)),
        "dout": rng.standard_normal((B, Tq, dv)),
    }

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, Tq, Tk, d, dv = dims["B"], dims["Tq"], dims["Tk"], dims["d"], dims["dv"]
    # "peaked" makes the softmax sharper (scores of a few units up to ~15) without saturating it:
    # a saturated softmax would have a ~0 Jacobian and hide errors in dq and dk.
    scale = options.get("scale", 1.0)
    q = rng.standard_normal((B, Tq, d)) * scale
    k = rng.standard_normal((B, Tk, d))
    if options.get("spread"):
        # Even queries score the even keys about c^2 / sqrt(d) >= 3000 above the odd ones; odd
        # queries score every key O(1). exp() of the raw scores overflows, and so does exp() of
        # the scores minus their mean or minimum; the scores minus the maximum of the whole
        # array underflow to 0 in the odd rows (0 / 0 = nan). Minus each row's maximum, none
        # does.
        c = 100.0
        q[..., 0] = 0.0
        q[:, ::2, 0] = c
        k[..., 0] = 0.0
        k[:, ::2, 0] = c
    return {
        "q": q,
        "k": k,
        "v": rng.standard_normal((B, Tk, dv)),
        "dout": rng.standard_normal((B, Tq, dv)),
    }

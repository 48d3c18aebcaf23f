import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, d, dv = dims["B"], dims["T"], dims["d"], dims["dv"]
    q = rng.standard_normal((B, T, d))
    k = rng.standard_normal((B, T, d))
    v = rng.standard_normal((B, T, dv))
    if options.get("large"):
        # A common component c along the first axis adds c^2 / sqrt(d) (~2900 or more) to every
        # score: exp() of the raw scores overflows, while the softmax (invariant to a per-row
        # constant) stays well spread, so the values are still checked.
        c = 100.0
        q[..., 0] = c
        k[..., 0] = c
    if options.get("future_large"):
        # The keys of the second half of the sequence score c^2 / sqrt(d) >= 2900 above those
        # of the first half: for the queries of the first half, the largest scores are future
        # ones. A maximum taken before the future is blocked (or over the whole array) leaves
        # exp() of every allowed score of those rows at 0 (0 / 0 = nan).
        c = 100.0
        q[..., 0] = c
        k[..., 0] = 0.0
        k[:, T // 2 :, 0] = c
    return {"q": q, "k": k, "v": v}

import numpy as np


def _block_size(rng: np.random.Generator, Tk: int, block: object) -> int:
    """Fixed by the case, dividing Tk, or (default) ragged: between 2 and Tk - 1 and not dividing
    Tk, so that there are at least two key blocks and the last one is shorter."""
    if isinstance(block, int):
        return block
    if block == "divides":
        divisors = [b for b in range(2, Tk) if Tk % b == 0]
        return int(rng.choice(divisors)) if divisors else 1
    return int(rng.choice([b for b in range(2, Tk) if Tk % b != 0]))


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, Tq, Tk, d, dv = dims["B"], dims["Tq"], dims["Tk"], dims["d"], dims["dv"]
    block_size = _block_size(rng, Tk, options.get("block", "ragged"))
    q = rng.standard_normal((B, Tq, d)) * options.get("q_scale", 1.0)
    k = rng.standard_normal((B, Tk, d))
    v = rng.standard_normal((B, Tk, dv))
    if options.get("large"):
        # A common component c along the first axis adds c^2 / sqrt(d) (~3000 and more) to every
        # score: exp() of a raw score overflows, the softmax itself is unchanged. With the keys'
        # component at -c, every score is about -3000 instead: exp() underflows to 0, so a running
        # maximum that starts at 0 instead of -inf divides 0 by 0.
        q[..., 0] = 100.0
        k[..., 0] = -100.0 if options.get("negative") else 100.0
    if Tq * Tk <= 10_000:  # not for the long case, whose score matrix is the point
        # The order of the keys changes nothing to attention, but a tiled loop rescales only
        # when a later block raises a query's maximum. Moving the key with the largest score
        # (over all queries) to the end makes that happen in every case, so a missing rescale
        # cannot pass by luck.
        for b in range(B):
            top = int(np.argmax((q[b] @ k[b].T).max(axis=0)))
            k[b, [top, Tk - 1]] = k[b, [Tk - 1, top]]
            v[b, [top, Tk - 1]] = v[b, [Tk - 1, top]]
    return {"q": q, "k": k, "v": v, "block_size": block_size}

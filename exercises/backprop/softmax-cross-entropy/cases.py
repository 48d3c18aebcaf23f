import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict, options: dict) -> dict:
    N, C = dims["N"], dims["C"]
    scale = options.get("scale", 1.0)
    offset = options.get("offset", 0.0)
    logits = rng.standard_normal((N, C)) * scale
    y = rng.integers(0, C, size=N)
    if scale >= 100.0:
        # Guarantee the hard case: a label whose logit lies >= 1000 below the row's maximum,
        # so softmax(logits)[y] underflows to 0 and log(0) = -inf unless log-softmax is used.
        y[0] = np.argmin(logits[0])
        logits[0, y[0]] = logits[0].min() - 1000.0
    # At least two distinct labels: with a single label, indexing mistakes such as
    # p[:, y] -= 1 would give the right answer. Done last, because the stability case above
    # may have changed y[0]; row 1 is never touched there.
    if np.all(y == y[0]):
        y[1] = (y[0] + 1) % C
    return {"logits": logits + offset, "y": y.astype(np.int64)}

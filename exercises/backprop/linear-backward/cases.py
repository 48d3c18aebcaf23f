import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict, options: dict) -> dict:
    N, D, M = dims["N"], dims["D"], dims["M"]
    # An offset makes db (a sum over the batch) clearly differ from a mean or a single row.
    offset = options.get("offset", 0.0)
    return {
        "x": rng.standard_normal((N, D)) + offset,
        "w": rng.standard_normal((D, M)),
        "b": rng.standard_normal(M),
        "dout": rng.standard_normal((N, M)) + offset,
    }

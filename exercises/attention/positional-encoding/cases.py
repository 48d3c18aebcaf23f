import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    """The whole input is two ints: the number of positions T and the (even) width d."""
    return {"T": int(dims["T"]), "d": int(dims["d"])}


def accept(dims: dict[str, int], options: dict) -> bool:
    # The formula pairs columns (2i, 2i+1), so d must be even.
    return dims["d"] % 2 == 0

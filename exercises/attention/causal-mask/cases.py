"""Inputs of causal-mask: two Python ints, Tq (queries) and Tk (keys), with 1 <= Tq <= Tk."""

import numpy as np


def accept(dims: dict[str, int], options: dict) -> bool:
    # Queries are the last Tq of the Tk positions: never more queries than keys.
    return dims["Tq"] <= dims["Tk"]


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    # Plain ints (not NumPy integers): the sizes a model would pass.
    return {"Tq": int(dims["Tq"]), "Tk": int(dims["Tk"])}

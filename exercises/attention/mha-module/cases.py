"""Inputs of mha-module: the constructor's arguments, x and the output's gradient. The
parameters' values are drawn by the grader (docs/exercise-format.md, "Module exercises")."""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, H, D = dims["B"], dims["T"], dims["H"], dims["D"]
    E = H * D
    return {
        "d_model": int(E),
        "n_heads": int(H),
        "x": rng.standard_normal((B, T, E)),
        "dout": rng.standard_normal((B, T, E)),
    }


def accept(dims: dict[str, int], options: dict) -> bool:
    # d_model must differ from the sequence length, so that no axis can pass for another.
    return dims["H"] * dims["D"] != dims["T"]

"""Inputs of transformer-block-module: the constructor's arguments, x and the output's
gradient. The parameters are drawn by the grader (docs/exercise-format.md, "Module exercises")."""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, H, D, F = dims["B"], dims["T"], dims["H"], dims["D"], dims["F"]
    E = H * D
    return {
        "d_model": int(E),
        "n_heads": int(H),
        "d_ff": int(F),
        "x": rng.standard_normal((B, T, E)),
        "dout": rng.standard_normal((B, T, E)),
    }


def accept(dims: dict[str, int], options: dict) -> bool:
    E = dims["H"] * dims["D"]
    return len({E, 3 * E, dims["F"], dims["T"]}) == 4

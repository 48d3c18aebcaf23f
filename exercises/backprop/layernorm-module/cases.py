"""Inputs of layernorm-module: the constructor's arguments, x and the output's gradient. The
weight and bias are drawn by the grader (docs/exercise-format.md, "Module exercises")."""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, D = dims["B"], dims["T"], dims["D"]
    # Not centred and not of unit scale: forgetting the mean or the variance shows. An eps far
    # above PyTorch's default 1e-5 makes its place (inside the square root) matter.
    loc, scale = options.get("loc", 1.5), options.get("scale", 2.0)
    return {
        "normalized_shape": int(D),
        "eps": float(options.get("eps", 0.1)),
        "x": loc + scale * rng.standard_normal((B, T, D)),
        "dout": rng.standard_normal((B, T, D)),
    }


def accept(dims: dict[str, int], options: dict) -> bool:
    return len({dims["B"], dims["T"], dims["D"]}) == 3

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, H, D = dims["B"], dims["T"], dims["H"], dims["D"]
    E = H * D
    # Weights scaled by 1/sqrt(E) keep the projections, hence the scores, of order 1: the
    # softmax stays spread out, so a wrong scale or a wrong head split changes the output.
    return {
        "x": rng.standard_normal((B, T, E)) * options.get("x_scale", 1.0),
        "wq": rng.standard_normal((E, E)) / np.sqrt(E),
        "wk": rng.standard_normal((E, D)) / np.sqrt(E),
        "wv": rng.standard_normal((E, D)) / np.sqrt(E),
        "wo": rng.standard_normal((E, E)) / np.sqrt(E),
        "num_heads": int(H),
    }


def accept(dims: dict[str, int], options: dict) -> bool:
    # E = H * D differs from T, so that no axis of the output can be mistaken for another.
    return dims["H"] * dims["D"] != dims["T"]

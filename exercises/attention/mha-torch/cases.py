"""Inputs of mha-torch, drawn as NumPy arrays (the engine passes them as float64 torch tensors;
num_heads stays a Python int). The same instances as multi-head-attention."""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, S, H, D = dims["B"], dims["T"], dims["S"], dims["H"], dims["D"]
    E = H * D
    # Weights scaled by 1/sqrt(E) keep the projections, hence the scores, of order 1: the softmax
    # is spread out, so a wrong scale or a wrong head split changes the output visibly.
    w = lambda: rng.standard_normal((E, E)) / np.sqrt(E)  # noqa: E731
    return {
        "x_q": rng.standard_normal((B, T, E)),
        "x_kv": rng.standard_normal((B, S, E)),
        "wq": w(),
        "wk": w(),
        "wv": w(),
        "wo": w(),
        "num_heads": int(H),
    }


def accept(dims: dict[str, int], options: dict) -> bool:
    # E = H * D must differ from the sequence lengths, so that no axis of the output can be
    # mistaken for another.
    E = dims["H"] * dims["D"]
    return E not in (dims["T"], dims["S"])

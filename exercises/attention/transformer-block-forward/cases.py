"""Inputs of transformer-block-forward, drawn as NumPy arrays (the engine passes them as float64
tensors; num_heads stays a Python int)."""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, H, D, F = dims["B"], dims["T"], dims["H"], dims["D"], dims["F"]
    E = H * D
    x = rng.standard_normal((B, T, E)) * options.get("spread", 1.0) + options.get("offset", 0.0)

    def weight(n_in: int, n_out: int, scale: float = 1.0) -> np.ndarray:
        # 1/sqrt(fan-in) keeps every activation of order 1: the softmax stays spread out and the
        # GELU's inputs cover its curved part (|x| < 3), where its variants differ.
        return rng.standard_normal((n_in, n_out)) * scale / np.sqrt(n_in)

    # qk_scale sharpens the attention: scores in the hundreds, where a future key's weight
    # underflows the allowed ones unless the mask is applied before the softmax.
    s = options.get("qk_scale", 1.0)

    # LayerNorm parameters away from (1, 0), so that swapping, dropping or misplacing them shows.
    return {
        "x": x,
        "ln1_gamma": 1.0 + 0.2 * rng.standard_normal(E),
        "ln1_beta": 0.2 * rng.standard_normal(E),
        "wq": weight(E, E, s),
        "wk": weight(E, E, s),
        "wv": weight(E, E),
        "wo": weight(E, E),
        "ln2_gamma": 1.0 + 0.2 * rng.standard_normal(E),
        "ln2_beta": 0.2 * rng.standard_normal(E),
        "w1": weight(E, F),
        "b1": 0.2 * rng.standard_normal(F),
        "w2": weight(F, E),
        "b2": 0.2 * rng.standard_normal(E),
        "num_heads": int(H),
    }


def accept(dims: dict[str, int], options: dict) -> bool:
    # E, F and T all differ, so that no weight or activation can be used along the wrong axis.
    E = dims["H"] * dims["D"]
    return len({E, dims["F"], dims["T"]}) == 3

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, S, H, D = dims["B"], dims["T"], dims["S"], dims["H"], dims["D"]
    E = H * D
    # Weights scaled by 1/sqrt(E) keep the projections, hence the scores, of order 1: the softmax
    # is spread out, so a wrong scale or a wrong head split changes the output visibly.
    w = lambda: rng.standard_normal((E, E)) / np.sqrt(E)  # noqa: E731
    # "large": inputs 100 times larger make scores of thousands, spread within each row and
    # between rows: exp() overflows unless each row's maximum is subtracted.
    size = 100.0 if options.get("large") else 1.0
    return {
        "x_q": rng.standard_normal((B, T, E)) * size,
        "x_kv": rng.standard_normal((B, S, E)) * size,
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

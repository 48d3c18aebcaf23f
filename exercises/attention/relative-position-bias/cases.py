import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, H, T, K, d, dv = dims["B"], dims["H"], dims["T"], dims["K"], dims["d"], dims["dv"]
    # Table entries of the order of the scores, so that the bias and q·k both shape the weights
    # and neither a bias bug nor a score bug hides behind the other.
    return {
        "q": rng.standard_normal((B, H, T, d)) * options.get("q_scale", 1.0),
        "k": rng.standard_normal((B, H, T, d)),
        "v": rng.standard_normal((B, H, T, dv)),
        "bias_table": rng.standard_normal((H, 2 * K + 1)) * options.get("bias_scale", 1.0),
        "max_distance": int(K),
    }

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    B, T, E, F = dims["B"], dims["T"], dims["E"], dims["F"]
    s = options.get("qk_scale", 1.0)

    def weight(n_in: int, n_out: int, scale: float = 1.0) -> np.ndarray:
        # 1/sqrt(fan-in): activations of order 1, a spread-out softmax, and about half of the
        # ReLU's inputs positive, so that every path of the gradient carries weight.
        return rng.standard_normal((n_in, n_out)) * scale / np.sqrt(n_in)

    # qk_scale 3 sharpens the softmax without saturating it (a saturated softmax has a ~0
    # Jacobian and would hide errors in dwq and dwk); qk_scale 50 saturates it on purpose, with
    # scores in the thousands: exp() overflows unless each row's own maximum is subtracted.
    return {
        "x": rng.standard_normal((B, T, E)),
        "wq": weight(E, E, s),
        "wk": weight(E, E, s),
        "wv": weight(E, E),
        "wo": weight(E, E),
        "w1": weight(E, F),
        "w2": weight(F, E),
        "dy": rng.standard_normal((B, T, E)),
    }

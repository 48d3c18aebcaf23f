import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict[str, int], options: dict) -> dict:
    N, D, H = dims["N"], dims["D"], dims["H"]
    x = rng.standard_normal((N, D))
    # A realistic previous state: h = o * tanh(c) lies in (-1, 1); c is unbounded.
    h_prev = np.tanh(rng.standard_normal((N, H)))
    c_prev = rng.standard_normal((N, H))
    # Weights scaled so the pre-activations are of order 1: the gates are neither saturated (which
    # would hide a swapped gate) nor all near 0.5.
    wx = rng.standard_normal((D, 4 * H)) / np.sqrt(D)
    wh = rng.standard_normal((H, 4 * H)) / np.sqrt(H)
    b = rng.standard_normal(4 * H) * 0.5
    if options.get("zero_state"):
        # The first step of a sequence: h_prev = c_prev = 0.
        h_prev = np.zeros((N, H))
        c_prev = np.zeros((N, H))
    if options.get("large"):
        # A third of the biases are huge (|b| in [200, 1000]), both signs, including +1000 in the
        # input gate and -1000 in the forget gate: exp(1000) overflows, so sigmoid written as
        # exp(a) / (1 + exp(a)) gives inf / inf = nan. The other units stay unsaturated.
        huge = rng.random(4 * H) < 1.0 / 3.0
        magnitude = rng.uniform(200.0, 1000.0, size=4 * H) * rng.choice([-1.0, 1.0], size=4 * H)
        b = np.where(huge, magnitude, b)
        b[0] = 1000.0  # i gate, unit 0
        b[H] = -1000.0  # f gate, unit 0
    return {"x": x, "h_prev": h_prev, "c_prev": c_prev, "wx": wx, "wh": wh, "b": b}

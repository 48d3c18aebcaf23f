import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict, options: dict) -> dict:
    N, D = dims["N"], dims["D"]
    spread = options.get("spread", 1.0)
    offset = options.get("offset", 0.0)
    # Each feature gets its own scale and shift, so per-feature statistics differ and a
    # statistic taken over the wrong axis cannot pass by accident.
    scales = spread * rng.uniform(0.5, 2.0, size=D)
    shifts = offset + rng.uniform(-3.0, 3.0, size=D)
    return {
        "x": rng.standard_normal((N, D)) * scales + shifts,
        "gamma": rng.uniform(0.5, 2.0, size=D) * rng.choice([-1.0, 1.0], size=D),
        "beta": rng.standard_normal(D),
        "dout": rng.standard_normal((N, D)),
        # Always passed positionally, even when it is the default value.
        "eps": float(options.get("eps", 1e-5)),
    }

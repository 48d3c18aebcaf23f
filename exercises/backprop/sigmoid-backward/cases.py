import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict, options: dict) -> dict:
    N, D = dims["N"], dims["D"]
    extra = options.get("extra_axis")
    shape = (N, extra, D) if extra else (N, D)
    # Scale 2 keeps most values where sigmoid' varies (it is flat beyond |x| ~ 6).
    x = rng.standard_normal(shape) * 2.0
    if options.get("large"):
        # Only a third of the entries are huge: if all were, the gradient would be ~0
        # everywhere and a wrong formula would pass. The huge ones test overflow.
        huge = rng.random(shape) < 1.0 / 3.0
        huge.flat[0] = True
        huge.flat[-1] = True
        magnitude = rng.uniform(200.0, 1000.0, size=shape)
        signs = rng.choice([-1.0, 1.0], size=shape)
        signs.flat[0], signs.flat[-1] = -1.0, 1.0  # both signs always present
        magnitude.flat[0] = 1000.0
        x = np.where(huge, signs * magnitude, x)
    return {"x": x, "dout": rng.standard_normal(shape)}

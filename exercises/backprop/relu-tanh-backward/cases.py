"""Inputs of relu-tanh-backward: x and dout of the same shape, float64."""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict, options: dict) -> dict:
    N, D = dims["N"], dims["D"]
    extra = options.get("extra_axis")
    shape = (N, extra, D) if extra else (N, D)
    # Scale 1.5: both signs everywhere (so ReLU's mask matters), and tanh' far from 0 and 1 (so
    # tanh, 1 - tanh and 1 - tanh^2 all differ clearly).
    x = rng.standard_normal(shape) * 1.5
    if options.get("zeros"):
        # Exact zeros, where ReLU is not differentiable: the convention says 0. Random draws are
        # never exactly 0, so only these cases can tell x > 0 from x >= 0. The first entry is 0
        # (visible in the example) and about a quarter of the others.
        zero = rng.random(shape) < 0.25
        zero.flat[0] = True
        x[zero] = 0.0
    # At least one clearly positive and one clearly negative entry, even in a 6-element example
    # with zeros: an x without positive entries would make every ReLU gradient 0, and then bugs
    # in it would pass. (Entry 0 stays 0 in the zeros cases.)
    x.flat[1] = -abs(x.flat[1]) - 0.2
    x.flat[-1] = abs(x.flat[-1]) + 0.2
    if options.get("large"):
        # A third of the entries are huge (tanh' underflows to 0 there); the others stay ordinary,
        # so a wrong formula still fails. Both signs appear.
        huge = rng.random(shape) < 1.0 / 3.0
        huge.flat[0] = huge.flat[-1] = True
        signs = rng.choice([-1.0, 1.0], size=shape)
        signs.flat[0], signs.flat[-1] = -1.0, 1.0
        x = np.where(huge, signs * rng.uniform(200.0, 1000.0, size=shape), x)
    # dout has both signs too, so masking by the sign of dout differs from masking by x.
    return {"x": x, "dout": rng.standard_normal(shape)}

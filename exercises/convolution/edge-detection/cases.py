"""Inputs of edge-detection: one grey-level image img (H, W), float64.

Step images have an edge in one direction only (then one of gx, gy is exactly 0), so a swapped
gx/gy is caught; random images and a bright box have both, so a wrong magnitude is caught.
"""

import numpy as np


def make_inputs(rng, dims, options):
    H, W = dims["H"], dims["W"]
    kind = options.get("step")
    # "black": the background is exactly 0, as in a real dark image: a filter tap skipped where
    # the image is 0 (instead of where the kernel is) then shows.
    low = 0.0 if options.get("black") else rng.uniform(0.0, 0.4)
    high = rng.uniform(0.6, 1.0)
    if kind == "vertical":
        # The edge sits strictly inside, so every output row sees it and some windows do not.
        img = np.full((H, W), low)
        img[:, rng.integers(2, W - 1) :] = high
    elif kind == "horizontal":
        img = np.full((H, W), low)
        img[rng.integers(2, H - 1) :, :] = high
    elif kind == "box":
        img = np.full((H, W), low)
        r0, c0 = rng.integers(1, H // 2), rng.integers(1, W // 2)
        img[r0 : r0 + H // 2, c0 : c0 + W // 2] = high
    else:
        img = rng.uniform(0.0, 1.0, size=(H, W))
    return {"img": img}

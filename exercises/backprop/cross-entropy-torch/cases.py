"""Inputs of cross-entropy-torch: logits (N, C) float64 and labels y (N,) int64.

The engine turns them into torch tensors (float64 and int64) before the call.
"""

import numpy as np


def make_inputs(rng: np.random.Generator, dims: dict, options: dict) -> dict:
    N, C = dims["N"], dims["C"]
    scale = options.get("scale", 1.0)
    offset = options.get("offset", 0.0)
    logits = rng.standard_normal((N, C)) * scale
    y = rng.integers(0, C, size=N)
    if scale >= 100.0:
        # Logits of magnitude 1000 saturate the softmax to a one-hot vector: a row whose label is
        # its argmax has a gradient of exactly 0, where a missing 1/N or a flipped sign would
        # pass. Row 0's label is its argmin, so its gradient is -1/N at y[0] and +1/N at the
        # argmax, and log softmax at the label is about -1000 (an underflow for a naive log).
        y[0] = np.argmin(logits[0])
    # At least two distinct labels: with a single label, p[:, y] -= 1 would be right.
    if np.all(y == y[0]):
        y[1] = (y[0] + 1) % C
    # An offset of +-1000 leaves the gradient unchanged (softmax ignores a constant per row) but
    # overflows (or underflows) exp() unless the row maximum is subtracted first.
    return {"logits": logits + offset, "y": y.astype(np.int64)}

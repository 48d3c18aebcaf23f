"""Reference for relu-tanh-backward: the elementwise derivatives of ReLU and tanh."""

from __future__ import annotations

import numpy as np


def relu_tanh_backward(x: np.ndarray, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of relu(x) = max(x, 0) and of tanh(x), given dout = dL/dout.

    x and dout have the same (any) shape; returns (dx_relu, dx_tanh) with that shape.
    """
    # ReLU is the identity where x > 0 and constant 0 where x < 0. At the kink x = 0 we take
    # the derivative 0 (as PyTorch does), hence the strict inequality.
    dx_relu = dout * (x > 0)
    # d tanh / dx = 1 - tanh(x)^2. tanh saturates to +-1 without overflow, so this stays finite
    # (and correctly ~0) for |x| in the thousands.
    t = np.tanh(x)
    dx_tanh = dout * (1.0 - t * t)
    return dx_relu.astype(np.float64), dx_tanh

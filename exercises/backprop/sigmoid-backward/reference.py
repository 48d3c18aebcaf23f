import numpy as np


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function.

    1 / (1 + exp(-x)) overflows in exp for x << 0 (it still gives 0, but with a warning);
    exp(-|x|) is always in (0, 1], so both branches below are safe for any magnitude.
    """
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_backward(x: np.ndarray, dout: np.ndarray) -> np.ndarray:
    """Gradient of sum(sigmoid(x) * dout) with respect to x; any shape, elementwise."""
    s = _sigmoid(x)
    # d sigmoid / dx = s (1 - s); the chain rule multiplies elementwise by the upstream dout.
    return dout * s * (1.0 - s)

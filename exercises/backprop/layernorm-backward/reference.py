import numpy as np


def layernorm_backward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    dout: np.ndarray,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of layer norm over the last axis (features) with the biased variance.

    Forward: out = gamma * (x - mean) / sqrt(var + eps) + beta, where mean and var are taken
    over the features of each example (axis -1) and var = mean((x - mean)**2) (divided by D).
    x (N, D), gamma (D,), beta (D,), dout (N, D) -> dx (N, D), dgamma (D,), dbeta (D,).
    """
    D = x.shape[-1]
    mean = x.mean(axis=-1, keepdims=True)  # (N, 1): one mean per example
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)  # biased: / D
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std

    # gamma and beta are per feature and shared by every example: sum over the batch axis 0.
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)

    # Same three paths as batch norm (direct, through the mean, through the variance), but the
    # statistics belong to a row, so the sums run over the features (axis -1) of each example:
    #   dx = inv_std / D * (D * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)).
    dx_hat = dout * gamma
    dx = (inv_std / D) * (
        D * dx_hat
        - dx_hat.sum(axis=-1, keepdims=True)
        - x_hat * (dx_hat * x_hat).sum(axis=-1, keepdims=True)
    )
    return dx, dgamma, dbeta

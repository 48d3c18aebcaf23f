import numpy as np


def batchnorm_backward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    dout: np.ndarray,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of training-mode batch norm over axis 0 with the biased variance.

    Forward: out = gamma * (x - mean) / sqrt(var + eps) + beta, with mean and var taken over
    the batch (axis 0) and var = mean((x - mean)**2) (divided by N, not N - 1).
    x (N, D), gamma (D,), beta (D,), dout (N, D) -> dx (N, D), dgamma (D,), dbeta (D,).
    """
    N = x.shape[0]
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)  # biased: / N
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std

    # gamma and beta are shared by the whole batch: their gradients sum over it.
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)

    # Gradient with respect to x_hat, then through the normalisation. x enters three ways:
    # directly, through the mean and through the variance. Collecting the three terms gives
    #   dx = inv_std / N * (N * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)),
    # the sums running over the batch. (The variance's own path through the mean vanishes
    # because sum(x - mean) = 0.)
    dx_hat = dout * gamma
    dx = (inv_std / N) * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta

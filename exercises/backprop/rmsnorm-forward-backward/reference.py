"""Reference for rmsnorm-forward-backward: RMSNorm over the last axis and its gradients."""

from __future__ import annotations

import numpy as np


def rmsnorm_forward_backward(
    x: np.ndarray, gamma: np.ndarray, dout: np.ndarray, eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """out = gamma * x / sqrt(mean(x**2, axis=-1) + eps), and dL/dx, dL/dgamma for dL/dout.

    x (N, D), gamma (D,), dout (N, D) -> out (N, D), dx (N, D), dgamma (D,).
    """
    # One root mean square per example, over its features; eps inside the root (torch.nn.RMSNorm).
    rms = np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)  # (N, 1)
    x_hat = x / rms
    out = gamma * x_hat

    # gamma is shared by every example: its gradient sums over the batch.
    dgamma = np.sum(dout * x_hat, axis=0)

    # x_nd reaches out directly and through rms_n, with d rms_n / d x_nd = x_nd / (D rms_n):
    #   dx = (g - x_hat * mean(g * x_hat)) / rms, g = dout * gamma, mean over the features.
    # Unlike layer norm there is no mean term: nothing was subtracted in the forward pass.
    g = dout * gamma
    dx = (g - x_hat * np.mean(g * x_hat, axis=-1, keepdims=True)) / rms
    return out, dx, dgamma

"""Reference for sgd-momentum-step: one update of torch.optim.SGD (dampening 0, no Nesterov)."""

from __future__ import annotations

import torch


def sgd_momentum_step(
    param: torch.Tensor,
    grad: torch.Tensor,
    buf: torch.Tensor,
    lr: float,
    momentum: float,
    weight_decay: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """param, grad, buf: float64 tensors of one shape. Returns the new (param, buf).

    PyTorch's convention: the buffer accumulates gradients (not steps), and lr is applied when
    the parameter moves. With buf = 0 on the first step, momentum * 0 + g = g, which is what
    torch.optim.SGD stores then.
    """
    # Weight decay is L2 regularisation folded into the gradient, before the momentum.
    g = grad + weight_decay * param
    buf = momentum * buf + g
    param = param - lr * buf
    return param, buf

def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    """One step of SGD with momentum, as torch.optim.SGD (dampening = 0, nesterov = False).

    param, grad, buf: torch.float64 tensors of shape (R, C); buf is the momentum buffer before
    this step (all zeros on the first step). lr, momentum, weight_decay: Python floats.

      g = grad + weight_decay * param
      buf = momentum * buf + g
      param = param - lr * buf

    Returns the tuple (param, buf) after the step, two torch tensors.
    """
    return param.clone(), buf.clone()

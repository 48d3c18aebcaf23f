def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    g = grad + weight_decay * param
    v = momentum * buf - lr * g  # bug: the classic convention, with PyTorch's buffer as v
    return param + v, v

def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    g = grad + weight_decay * param
    buf = momentum * buf + (1 - momentum) * g  # bug: dampening, an average
    return param - lr * buf, buf

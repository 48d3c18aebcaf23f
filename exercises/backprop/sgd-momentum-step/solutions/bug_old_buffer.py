def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    g = grad + weight_decay * param
    new_param = param - lr * buf  # bug: the old buffer
    return new_param, momentum * buf + g

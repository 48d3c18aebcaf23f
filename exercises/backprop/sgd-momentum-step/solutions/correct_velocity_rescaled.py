def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    # The classic velocity is v = -lr * buf: convert, take a classic step, convert back.
    g = grad + weight_decay * param
    v = -lr * buf
    v = momentum * v - lr * g
    return param + v, v / -lr

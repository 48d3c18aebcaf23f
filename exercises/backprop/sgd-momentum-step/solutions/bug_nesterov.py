def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    g = grad + weight_decay * param
    buf = momentum * buf + g
    return param - lr * (g + momentum * buf), buf  # bug: Nesterov's look-ahead

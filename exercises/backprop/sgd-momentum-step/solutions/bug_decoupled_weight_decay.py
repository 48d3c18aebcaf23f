def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    buf = momentum * buf + grad
    # bug: weight decay applied apart from the buffer
    return param - lr * (buf + weight_decay * param), buf

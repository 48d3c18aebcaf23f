def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    d_p = grad + weight_decay * param
    new_buf = momentum * buf + d_p
    return param - lr * new_buf, new_buf

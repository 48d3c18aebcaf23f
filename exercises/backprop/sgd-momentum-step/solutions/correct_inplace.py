import torch


def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    # the in-place style of torch.optim.SGD's own loop
    with torch.no_grad():
        d_p = grad.add(param, alpha=weight_decay)
        buf.mul_(momentum).add_(d_p)
        param.add_(buf, alpha=-lr)
    return param, buf

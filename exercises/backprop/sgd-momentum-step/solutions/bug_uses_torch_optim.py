import torch


def sgd_momentum_step(param, grad, buf, lr, momentum, weight_decay):
    p = param.clone().requires_grad_(True)
    p.grad = grad.clone()
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum, weight_decay=weight_decay)
    opt.state[p]["momentum_buffer"] = buf.clone()
    opt.step()
    return p.detach(), opt.state[p]["momentum_buffer"]

import torch


def depthwise_conv2d_torch(x, w, b, stride, pad):
    win = x.unfold(2, w.shape[2], stride).unfold(3, w.shape[3], stride)
    return torch.einsum("nchwij,cij->nchw", win, w[:, 0]) + b.view(1, -1, 1, 1)

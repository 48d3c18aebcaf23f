import torch.nn.functional as F


def depthwise_conv2d_torch(x, w, b, stride, pad):
    N, C, H, W = x.shape
    HH, WW = w.shape[-2:]
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    cols = F.unfold(x, kernel_size=(HH, WW), padding=pad, stride=stride)  # (N, C*HH*WW, L)
    cols = cols.reshape(N, C, HH * WW, -1)
    out = (cols * w.reshape(1, C, HH * WW, 1)).sum(dim=2)
    return out.reshape(N, C, Ho, Wo) + b[None, :, None, None]

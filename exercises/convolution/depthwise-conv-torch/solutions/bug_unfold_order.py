import torch
import torch.nn.functional as F


def depthwise_conv2d_torch(x, w, b, stride, pad):
    N, C, H, W = x.shape
    HH, WW = w.shape[-2:]
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    cols = F.unfold(x, (HH, WW), padding=pad, stride=stride).view(N, HH * WW, C, -1)
    out = torch.einsum("nkcl,ck->ncl", cols, w.view(C, -1))
    return out.view(N, C, Ho, Wo) + b.view(1, C, 1, 1)

import torch
from torch import nn


class Conv2d(nn.Module):
    """A 2-D convolution layer (a cross-correlation, as in PyTorch), written by hand.

    Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0); kernel_size is an int
    or a tuple (kH, kW). Parameters:
        weight: (out_channels, in_channels, kH, kW)
        bias:   (out_channels,)

    forward(x): x of shape (N, in_channels, H, W) -> (N, out_channels, OH, OW), with
    OH = (H + 2 * padding - kH) // stride + 1 (and OW likewise).
    F.conv2d, nn.Conv2d and their relatives are banned; F.pad, F.unfold, einsum are allowed.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        self.stride, self.padding = stride, padding
        self.weight = nn.Parameter(torch.zeros(out_channels, in_channels, kh, kw))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x):
        return x

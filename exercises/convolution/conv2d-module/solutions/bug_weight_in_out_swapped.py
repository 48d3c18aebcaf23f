import torch
import torch.nn.functional as F
from torch import nn


class Conv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        if isinstance(kernel_size, int):
            kernel_size = (kernel_size, kernel_size)
        self.kernel_size, self.stride, self.padding = tuple(kernel_size), stride, padding
        # (in, out, kh, kw): the layout of a transposed convolution, not of Conv2d
        self.weight = nn.Parameter(torch.randn(in_channels, out_channels, *self.kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x):
        n, _, h, w = x.shape
        kh, kw = self.kernel_size
        oh = (h + 2 * self.padding - kh) // self.stride + 1
        ow = (w + 2 * self.padding - kw) // self.stride + 1
        cols = F.unfold(x, (kh, kw), padding=self.padding, stride=self.stride)
        weight = self.weight.transpose(0, 1).reshape(self.weight.shape[1], -1)
        out = weight @ cols + self.bias[:, None]
        return out.reshape(n, -1, oh, ow)

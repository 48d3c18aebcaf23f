import torch
from torch import nn


class LayerNorm(nn.Module):
    """Sums written out; the parameters registered by name."""

    def __init__(self, normalized_shape, eps=1e-5):
        super().__init__()
        self.d, self.eps = normalized_shape, eps
        self.register_parameter("weight", nn.Parameter(torch.ones(normalized_shape)))
        self.register_parameter("bias", nn.Parameter(torch.zeros(normalized_shape)))

    def forward(self, x):
        centred = x - x.sum(dim=-1, keepdim=True) / self.d
        var = (centred * centred).sum(dim=-1, keepdim=True) / self.d
        return self.weight * centred / (var + self.eps) ** 0.5 + self.bias

import math

import torch
import torch.nn.functional as F


def ln(x, g, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + 1e-5) * g + b


def attn(a, wq, wk, wv, wo, H):
    B, T, E = a.shape
    d = E // H
    q = (a @ wq).reshape(B, T, H, d).transpose(1, 2)
    k = (a @ wk).reshape(B, T, H, d).transpose(1, 2)
    v = (a @ wv).reshape(B, T, H, d).transpose(1, 2)
    s = q @ k.transpose(-2, -1) / math.sqrt(d)
    s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    return (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, E) @ wo


def transformer_block(
    x, ln1_gamma, ln1_beta, wq, wk, wv, wo, ln2_gamma, ln2_beta, w1, b1, w2, b2, num_heads
):
    h = x + attn(ln(x, ln1_gamma, ln1_beta), wq, wk, wv, wo, num_heads)
    return h + F.gelu(ln(h, ln2_gamma, ln2_beta) @ w1 + b1, approximate="tanh") @ w2 + b2  # bug

import math

import torch
import torch.nn.functional as F


def transformer_block(
    x, ln1_gamma, ln1_beta, wq, wk, wv, wo, ln2_gamma, ln2_beta, w1, b1, w2, b2, num_heads
):
    B, T, E = x.shape
    d = E // num_heads
    a = F.layer_norm(x, (E,), ln1_gamma, ln1_beta, eps=1e-5)
    q = (a @ wq).view(B, T, num_heads, d).permute(0, 2, 1, 3)
    k = (a @ wk).view(B, T, num_heads, d).permute(0, 2, 1, 3)
    v = (a @ wv).view(B, T, num_heads, d).permute(0, 2, 1, 3)
    allowed = torch.tril(torch.ones(T, T, dtype=torch.bool))
    s = torch.where(allowed, q @ k.transpose(-1, -2) / math.sqrt(d), float("-inf"))
    att = (torch.softmax(s, dim=-1) @ v).permute(0, 2, 1, 3).reshape(B, T, E)
    h = x + att @ wo
    m = F.layer_norm(h, (E,), ln2_gamma, ln2_beta, eps=1e-5)
    return h + F.linear(F.gelu(F.linear(m, w1.T, b1)), w2.T, b2)

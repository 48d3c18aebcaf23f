import math

import torch


def ln(x, g, b):
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True)
    return g * (x - mu) * torch.rsqrt(var + 1e-5) + b


def transformer_block(
    x, ln1_gamma, ln1_beta, wq, wk, wv, wo, ln2_gamma, ln2_beta, w1, b1, w2, b2, num_heads
):
    B, T, E = x.shape
    d = E // num_heads
    a = ln(x, ln1_gamma, ln1_beta)
    q, k, v = a @ wq, a @ wk, a @ wv
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    heads = []
    for h in range(num_heads):
        cols = slice(h * d, (h + 1) * d)
        s = q[..., cols] @ k[..., cols].transpose(1, 2) / math.sqrt(d)
        s = s.masked_fill(future, -math.inf)
        s = s - s.max(dim=-1, keepdim=True).values
        w = torch.exp(s)
        heads.append(w / w.sum(-1, keepdim=True) @ v[..., cols])
    h = x + torch.cat(heads, dim=-1) @ wo
    z = ln(h, ln2_gamma, ln2_beta) @ w1 + b1
    return h + (z * 0.5 * (1 + torch.erf(z / math.sqrt(2)))) @ w2 + b2

import math

import torch


def multi_head_attention_torch(x_q, x_kv, wq, wk, wv, wo, num_heads):
    E = x_q.shape[-1]
    d = E // num_heads
    Q, K, V = x_q @ wq, x_kv @ wk, x_kv @ wv
    heads = []
    for h in range(num_heads):
        cols = slice(h * d, (h + 1) * d)
        p = torch.softmax(Q[..., cols] @ K[..., cols].transpose(1, 2) / math.sqrt(d), dim=-1)
        heads.insert(0, p @ V[..., cols])  # bug: each new head goes first
    return torch.cat(heads, dim=-1) @ wo

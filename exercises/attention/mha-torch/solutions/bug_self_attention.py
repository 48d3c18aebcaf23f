import math

import torch


def multi_head_attention_torch(x_q, x_kv, wq, wk, wv, wo, num_heads):
    B, T, E = x_q.shape
    d = E // num_heads
    q = (x_q @ wq).view(B, T, num_heads, d).transpose(1, 2)
    k = (x_q @ wk).view(B, T, num_heads, d).transpose(1, 2)  # bug: x_q, not x_kv
    v = (x_q @ wv).view(B, T, num_heads, d).transpose(1, 2)
    p = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1)
    return (p @ v).transpose(1, 2).reshape(B, T, E) @ wo

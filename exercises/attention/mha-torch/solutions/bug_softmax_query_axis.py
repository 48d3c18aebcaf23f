import math

import torch


def multi_head_attention_torch(x_q, x_kv, wq, wk, wv, wo, num_heads):
    B, T, E = x_q.shape
    S = x_kv.shape[1]
    d = E // num_heads
    q = (x_q @ wq).view(B, T, num_heads, d).transpose(1, 2)
    k = (x_kv @ wk).view(B, S, num_heads, d).transpose(1, 2)
    v = (x_kv @ wv).view(B, S, num_heads, d).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (B, H, T, S)
    p = torch.softmax(scores, dim=2)  # bug: dim 2 is the query dim
    return (p @ v).transpose(1, 2).reshape(B, T, E) @ wo

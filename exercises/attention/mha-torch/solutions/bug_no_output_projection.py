import math

import torch


def multi_head_attention_torch(x_q, x_kv, wq, wk, wv, wo, num_heads):
    B, T, E = x_q.shape
    S = x_kv.shape[1]
    d = E // num_heads
    q = (x_q @ wq).reshape(B, T, num_heads, d).transpose(1, 2)
    k = (x_kv @ wk).reshape(B, S, num_heads, d).transpose(1, 2)
    v = (x_kv @ wv).reshape(B, S, num_heads, d).transpose(1, 2)
    att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1)
    return (att @ v).transpose(1, 2).reshape(B, T, E)

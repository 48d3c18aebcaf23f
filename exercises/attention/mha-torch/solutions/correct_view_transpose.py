import torch


def multi_head_attention_torch(x_q, x_kv, wq, wk, wv, wo, num_heads):
    B, T, E = x_q.shape
    S = x_kv.shape[1]
    d = E // num_heads
    q = (x_q @ wq).view(B, T, num_heads, d).permute(0, 2, 1, 3)
    k = (x_kv @ wk).view(B, S, num_heads, d).permute(0, 2, 1, 3)
    v = (x_kv @ wv).view(B, S, num_heads, d).permute(0, 2, 1, 3)
    att = torch.softmax(q @ k.transpose(2, 3) / d**0.5, dim=-1)
    out = (att @ v).permute(0, 2, 1, 3).contiguous().view(B, T, E)
    return out @ wo

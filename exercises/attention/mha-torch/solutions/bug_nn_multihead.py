import torch
from torch import nn


def multi_head_attention_torch(x_q, x_kv, wq, wk, wv, wo, num_heads):
    E = x_q.shape[-1]
    mha = nn.MultiheadAttention(E, num_heads, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([wq.T, wk.T, wv.T]))
        mha.out_proj.weight.copy_(wo.T)
    out, _ = mha(x_q, x_kv, x_kv, need_weights=False)
    return out.detach()

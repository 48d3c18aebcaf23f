import math

import torch


def kv_cache_step(q, k_new, v_new, k_cache, v_cache):
    k_cache = torch.cat((k_cache, k_new.unsqueeze(2)), dim=2)
    v_cache = torch.cat((v_cache, v_new.unsqueeze(2)), dim=2)
    e = torch.exp((k_cache @ q.unsqueeze(-1)).squeeze(-1) / math.sqrt(q.shape[-1]))
    w = e / e.sum(dim=-1, keepdim=True)
    return (w.unsqueeze(-2) @ v_cache).squeeze(-2), k_cache, v_cache

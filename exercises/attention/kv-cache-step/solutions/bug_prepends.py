import math

import torch


def kv_cache_step(q, k_new, v_new, k_cache, v_cache):
    k_cache = torch.cat((k_new.unsqueeze(2), k_cache), dim=2)  # bug: at the front
    v_cache = torch.cat((v_new.unsqueeze(2), v_cache), dim=2)
    s = (k_cache @ q.unsqueeze(-1)).squeeze(-1) / math.sqrt(q.shape[-1])
    out = (torch.softmax(s, dim=-1).unsqueeze(-2) @ v_cache).squeeze(-2)
    return out, k_cache, v_cache

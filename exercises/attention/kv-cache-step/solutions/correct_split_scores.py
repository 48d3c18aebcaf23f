import math

import torch


def kv_cache_step(q, k_new, v_new, k_cache, v_cache):
    # Scores against the old cache and against the new key, joined by one log-sum-exp.
    scale = 1.0 / math.sqrt(q.shape[-1])
    s_old = torch.einsum("bhd,bhtd->bht", q, k_cache) * scale  # (B, H, T)
    s_new = (q * k_new).sum(-1, keepdim=True) * scale  # (B, H, 1)
    lse = torch.logsumexp(torch.cat([s_old, s_new], dim=-1), dim=-1, keepdim=True)
    out = torch.einsum("bht,bhtv->bhv", torch.exp(s_old - lse), v_cache)
    out = out + torch.exp(s_new - lse) * v_new
    k_cache = torch.cat([k_cache, k_new.unsqueeze(-2)], dim=-2)
    v_cache = torch.cat([v_cache, v_new.unsqueeze(-2)], dim=-2)
    return out, k_cache, v_cache

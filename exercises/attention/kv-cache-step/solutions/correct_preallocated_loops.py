import math

import torch


def kv_cache_step(q, k_new, v_new, k_cache, v_cache):
    B, H, T, d = k_cache.shape
    dv = v_cache.shape[-1]
    k_out = torch.empty(B, H, T + 1, d, dtype=k_cache.dtype)
    v_out = torch.empty(B, H, T + 1, dv, dtype=v_cache.dtype)
    k_out[:, :, :T] = k_cache
    k_out[:, :, T] = k_new
    v_out[:, :, :T] = v_cache
    v_out[:, :, T] = v_new
    out = torch.empty(B, H, dv, dtype=q.dtype)
    for b in range(B):
        for h in range(H):
            s = k_out[b, h] @ q[b, h] / math.sqrt(d)  # (T + 1,)
            w = torch.exp(s - s.max())
            out[b, h] = (w / w.sum()) @ v_out[b, h]
    return out, k_out, v_out

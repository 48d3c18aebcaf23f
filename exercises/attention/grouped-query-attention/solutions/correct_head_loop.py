import math

import torch


def grouped_query_attention(q, k, v):
    H, G = q.shape[1], k.shape[1]
    heads = []
    for h in range(H):
        g = h * G // H  # = h // (H // G)
        s = q[:, h] @ k[:, g].transpose(1, 2) / math.sqrt(q.shape[-1])
        heads.append(torch.softmax(s, dim=-1) @ v[:, g])
    return torch.stack(heads, dim=1)

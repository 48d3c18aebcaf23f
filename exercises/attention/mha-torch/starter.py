import torch


def multi_head_attention_torch(x_q, x_kv, wq, wk, wv, wo, num_heads):
    """Multi-head (cross-)attention without biases, with torch tensors.

    x_q:  (B, T, E) float64 tensor, the queries' sequence.
    x_kv: (B, S, E) float64 tensor, the keys' and values' sequence.
    wq, wk, wv, wo: (E, E) float64 tensors; projections are x @ w.
    num_heads: int >= 2 dividing E; head h uses columns h*d ... (h+1)*d - 1, d = E // num_heads.

    Returns a float64 tensor of shape (B, T, E).
    """
    return torch.zeros_like(x_q)

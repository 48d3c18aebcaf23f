import torch


def multi_head_attention_torch(x_q, x_kv, wq, wk, wv, wo, num_heads):
    E = x_q.shape[-1]
    d = E // num_heads
    # Split the weight matrices instead of the projections: wq[:, h*d:(h+1)*d] is head h's.
    wq_h = wq.reshape(E, num_heads, d)
    wk_h = wk.reshape(E, num_heads, d)
    wv_h = wv.reshape(E, num_heads, d)
    q = torch.einsum("bte,ehd->bhtd", x_q, wq_h)
    k = torch.einsum("bse,ehd->bhsd", x_kv, wk_h)
    v = torch.einsum("bse,ehd->bhsd", x_kv, wv_h)
    s = torch.einsum("bhtd,bhsd->bhts", q, k) / torch.sqrt(torch.tensor(float(d), dtype=q.dtype))
    p = torch.exp(s - torch.logsumexp(s, dim=-1, keepdim=True))
    heads = torch.einsum("bhts,bhsd->bthd", p, v)
    # wo's rows h*d .. (h+1)*d - 1 multiply head h's outputs.
    return torch.einsum("bthd,hdf->btf", heads, wo.reshape(num_heads, d, E))

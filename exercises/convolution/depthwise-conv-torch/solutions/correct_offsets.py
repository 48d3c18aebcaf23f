import torch


def depthwise_conv2d_torch(x, w, b, stride, pad):
    N, C, H, W = x.shape
    HH, WW = w.shape[2:]
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = torch.zeros(N, C, H + 2 * pad, W + 2 * pad, dtype=x.dtype)
    xp[:, :, pad : pad + H, pad : pad + W] = x
    out = b.reshape(1, C, 1, 1).expand(N, C, Ho, Wo).clone()
    for kh in range(HH):
        for kw in range(WW):
            part = xp[:, :, kh : kh + stride * (Ho - 1) + 1 : stride, kw : kw + stride * (Wo - 1) + 1 : stride]
            out += part * w[:, 0, kh, kw].reshape(1, C, 1, 1)
    return out

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def depthwise_conv2d_torch(x, w, b, stride, pad):
    xp = np.pad(x.numpy(), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    HH, WW = w.shape[2:]
    win = sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("nchwij,cij->nchw", win, w[:, 0].numpy()) + b.numpy()[None, :, None, None]

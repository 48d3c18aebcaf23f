# Correct: loop over the k * k kernel offsets. Offset (kh, kw) sends all of x (channel-mixed by
# w[:, :, kh, kw]) to a strided grid of output positions starting at (kh, kw).
import numpy as np


def conv_transpose2d(x, w, stride):
    N, Cin, H, W = x.shape
    Cout, k = w.shape[1], w.shape[2]
    Ho = (H - 1) * stride + k
    Wo = (W - 1) * stride + k
    out = np.zeros((N, Cout, Ho, Wo))
    for kh in range(k):
        for kw in range(k):
            out[
                :,
                :,
                kh : kh + stride * (H - 1) + 1 : stride,
                kw : kw + stride * (W - 1) + 1 : stride,
            ] += np.einsum("nchw,cd->ndhw", x, w[:, :, kh, kw])
    return out

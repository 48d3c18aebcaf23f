import numpy as np


def attention_with_relative_bias(q, k, v, bias_table, max_distance):
    # The bias is constant along each diagonal j - i = r: fill it diagonal by diagonal.
    H, T = q.shape[1], q.shape[2]
    K = max_distance
    bias = np.empty((H, T, T))
    for r in range(-(T - 1), T):
        col = min(max(r, -K), K) + K
        rows = np.arange(max(0, -r), min(T, T - r))
        bias[:, rows, rows + r] = bias_table[:, col][:, None]
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1]) + bias
    s = s - s.max(axis=-1, keepdims=True)
    w = np.exp(s)
    return (w / w.sum(axis=-1, keepdims=True)) @ v

import numpy as np


def attention_with_relative_bias(q, k, v, bias_table, max_distance):
    T = q.shape[2]
    pos = np.arange(T)
    rel = np.clip(pos[None, :] - pos[:, None], -max_distance, max_distance) + max_distance
    s = (q @ k.transpose(0, 1, 3, 2) + bias_table[:, rel]) / np.sqrt(q.shape[-1])  # bug
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    return (w / w.sum(axis=-1, keepdims=True)) @ v

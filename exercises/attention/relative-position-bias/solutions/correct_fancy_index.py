import numpy as np


def attention_with_relative_bias(q, k, v, bias_table, max_distance):
    T = q.shape[2]
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    idx = np.minimum(np.maximum(j - i, -max_distance), max_distance) + max_distance
    s = np.einsum("bhid,bhjd->bhij", q, k) / np.sqrt(q.shape[-1]) + bias_table[:, idx][None]
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    return np.einsum("bhij,bhjv->bhiv", w / w.sum(axis=-1, keepdims=True), v)

import math

import numpy as np


def rotary_embedding(q, k, positions, base):
    d = q.shape[-1]
    q_rot, k_rot = q.copy(), k.copy()
    for t, p in enumerate(positions):
        for i in range(d // 2):
            a = int(p) * math.pow(base, -2 * i / d)
            rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
            for x, out in ((q, q_rot), (k, k_rot)):
                pair = x[:, :, t, 2 * i : 2 * i + 2]  # (B, H, 2)
                out[:, :, t, 2 * i : 2 * i + 2] = pair @ rotation.T
    return q_rot, k_rot

"""RF of stacked convs: r = 1 + sum_i (k_i - 1) * prod_{j<i} s_j (no dilation)."""


def _rf(ks, ss):
    r, jump = 1, 1
    for k, s in zip(ks, ss):
        r += (k - 1) * jump
        jump *= s
    return r


def answer(k1, k2, k3, s1, s2, s3):
    return _rf([k1, k2, k3], [s1, s2, s3])


def ignore_strides(k1, k2, k3, s1, s2, s3):
    return _rf([k1, k2, k3], [1, 1, 1])


def own_stride(k1, k2, k3, s1, s2, s3):
    return 1 + (k1 - 1) * s1 + (k2 - 1) * s1 * s2 + (k3 - 1) * s1 * s2 * s3


def sum_of_kernels(k1, k2, k3, s1, s2, s3):
    return k1 + k2 * s1 + k3 * s1 * s2


def no_one(k1, k2, k3, s1, s2, s3):
    return answer(k1, k2, k3, s1, s2, s3) - 1

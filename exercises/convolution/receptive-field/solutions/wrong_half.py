def answer(k1, k2, k3, s1, s2, s3):
    r = 1 + (k1 - 1) + (k2 - 1) * s1 + (k3 - 1) * s1 * s2
    return f"{r}/2"

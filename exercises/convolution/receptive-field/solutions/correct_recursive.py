# Backwards from the output: r_L = 1, r_{i-1} = s_i * (r_i - 1) + k_i
def answer(k1, k2, k3, s1, s2, s3):
    r = 1
    for k, s in ((k3, s3), (k2, s2), (k1, s1)):
        r = s * (r - 1) + k
    return str(r)

# Layer by layer: each widens the field by d * (K - 1).
def answer(K, b, L, B, dilations, layers):
    r = 1
    for _ in range(B):
        for d in dilations:
            r += d * (K - 1)
    return str(r)

"""Stride 1, dilation d, kernel K: out = H + 2P - d(K - 1), so P = d(K - 1)/2 keeps the size.

params(rng) draws K and d and the numbers shown in the options; accept() keeps only draws where
the four numbers differ (else two options would read the same)."""


def params(rng):
    K = int(rng.choice([3, 5, 7]))
    d = int(rng.choice([2, 3]))
    return {
        "K": K,
        "d": d,
        "p_dilated": d * (K - 1) // 2,
        "p_undilated": (K - 1) // 2,
        "p_full": d * (K - 1),
        "span": d * (K - 1) + 1,
        "lost": d * (K - 1),
    }


def accept(K, d, p_dilated, p_undilated, p_full, span, lost):
    return len({p_dilated, p_undilated, p_full, K, 0}) == 5


def answer(**p):
    return "dilated"

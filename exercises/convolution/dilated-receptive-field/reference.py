"""Receptive field of B repeated blocks of L dilated 1-D convolutions (kernel K, stride 1,
dilations 1, b, b^2, ..., b^(L-1)), as in WaveNet: r = 1 + B * (K - 1) * (1 + b + ... + b^(L-1))."""


def params(rng):
    K = int(rng.choice([2, 3]))
    b = int(rng.choice([2, 3]))
    L = int(rng.integers(3, 6 if b == 2 else 5))  # b = 3 stops at L = 4: numbers a person can add
    B = int(rng.integers(2, 5))
    dilations = [b**i for i in range(L)]
    return {"K": K, "b": b, "L": L, "B": B, "dilations": dilations, "layers": B * L}


def _rf(K, dilations, repeats):
    # Each layer (stride 1) widens the field by the distance between its first and last taps,
    # d * (K - 1); one output sample alone sees 1 input sample.
    return 1 + repeats * sum(d * (K - 1) for d in dilations)


def answer(K, b, L, B, dilations, layers):
    return _rf(K, dilations, B)


def ignore_dilation(K, b, L, B, dilations, layers):
    return _rf(K, [1] * L, B)


def sum_of_spans(K, b, L, B, dilations, layers):
    # Adds each layer's whole span d*(K - 1) + 1, counting the shared sample once per layer.
    return B * sum(d * (K - 1) + 1 for d in dilations)


def no_one(K, b, L, B, dilations, layers):
    return _rf(K, dilations, B) - 1


def one_block(K, b, L, B, dilations, layers):
    return _rf(K, dilations, 1)


def dilations_from_b(K, b, L, B, dilations, layers):
    # Dilations b, b^2, ..., b^L: the exponents off by one.
    return _rf(K, [d * b for d in dilations], B)


def kernel_times_dilation(K, b, L, B, dilations, layers):
    # A span of d*K per layer instead of d*(K - 1) + 1.
    return 1 + B * sum(d * K for d in dilations)

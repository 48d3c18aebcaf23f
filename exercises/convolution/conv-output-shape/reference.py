"""Conv2d on (N, C, H, W) with F filters of K x K, stride S, padding P -> (N, F, H_out, W_out)."""


def _out(size, K, S, P):
    return (size + 2 * P - K) // S + 1


def answer(N, C, H, W, F, K, S, P):
    return (N, F, _out(H, K, S, P), _out(W, K, S, P))


def missing_plus_one(N, C, H, W, F, K, S, P):
    return (N, F, _out(H, K, S, P) - 1, _out(W, K, S, P) - 1)


def no_padding(N, C, H, W, F, K, S, P):
    return (N, F, _out(H, K, S, 0), _out(W, K, S, 0))


def padding_once(N, C, H, W, F, K, S, P):
    return (N, F, (H + P - K) // S + 1, (W + P - K) // S + 1)


def in_channels(N, C, H, W, F, K, S, P):
    return (N, C, _out(H, K, S, P), _out(W, K, S, P))


def no_stride(N, C, H, W, F, K, S, P):
    return (N, F, _out(H, K, 1, P), _out(W, K, 1, P))


def accept(N, C, H, W, F, K, S, P):
    # every output size distinct, so that a wrong order or a swapped size always shows
    return len(set(answer(N, C, H, W, F, K, S, P))) == 4

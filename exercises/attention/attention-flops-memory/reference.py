"""The attention core of one layer, forward: F = FLOPs of QKᵀ and PV; M = bytes of what the
backward pass needs from it (Q, K, V and the weights P) in a non-fused implementation."""

BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}


def _flops(B, H, T, d):
    # Two products of B·H·T²·d multiply-adds each (QKᵀ: T×d by d×T; PV: T×T by T×d), 2 FLOPs each.
    return 4 * B * H * T * T * d


def _numbers(B, H, T, d):
    # Q, K, V: B·H·T·d each; P: B·H·T·T.
    return B * H * (3 * T * d + T * T)


def answer(B, H, T, d, dtype):
    return [_flops(B, H, T, d), _numbers(B, H, T, d) * BYTES[dtype]]


def half_flops(B, H, T, d, dtype):
    return [_flops(B, H, T, d) // 2, _numbers(B, H, T, d) * BYTES[dtype]]


def d_squared_flops(B, H, T, d, dtype):
    return [4 * B * H * T * d * d, _numbers(B, H, T, d) * BYTES[dtype]]


def no_weights(B, H, T, d, dtype):
    return [_flops(B, H, T, d), 3 * B * H * T * d * BYTES[dtype]]


def only_weights(B, H, T, d, dtype):
    return [_flops(B, H, T, d), B * H * T * T * BYTES[dtype]]


def bits(B, H, T, d, dtype):
    return [_flops(B, H, T, d), 8 * _numbers(B, H, T, d) * BYTES[dtype]]

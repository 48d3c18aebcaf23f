"""Weights of shape (B, h, T, T), `bytes` per number, in MiB (2^20 bytes)."""

BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}
MIB = 2**20


def answer(B, h, T, dtype):
    return B * h * T * T * BYTES[dtype] / MIB


def linear_in_T(B, h, T, dtype):
    return B * h * T * BYTES[dtype] / MIB


def no_heads(B, h, T, dtype):
    return B * T * T * BYTES[dtype] / MIB


def no_batch(B, h, T, dtype):
    return h * T * T * BYTES[dtype] / MIB


def megabytes(B, h, T, dtype):
    return B * h * T * T * BYTES[dtype] / 1e6


def bits(B, h, T, dtype):
    return 8 * answer(B, h, T, dtype)


def gibibytes(B, h, T, dtype):
    return answer(B, h, T, dtype) / 1024

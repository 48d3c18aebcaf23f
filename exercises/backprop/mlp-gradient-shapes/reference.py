"""Batch-row convention: X (N, D), W_1 (D, H), Z_1 = X W_1 + b_1 (N, H), W_2 (H, C)."""


def _shapes(N, D, H, C):
    return {"X": (N, D), "W_1": (D, H), "Z_1": (N, H), "W_2": (H, C)}


def answer(N, D, H, C, target):
    return _shapes(N, D, H, C)[target]


def transposed(N, D, H, C, target):
    return answer(N, D, H, C, target)[::-1]


def with_batch(N, D, H, C, target):
    if target not in ("W_1", "W_2"):
        return None
    return (N, *answer(N, D, H, C, target))


def other_side(N, D, H, C, target):
    return (N, H) if target == "X" else None

"""L = -log softmax(z / T)_y for three logits z1, z2, z3: dL/dz_j = (p_j - [j = y]) / T, with
p = softmax(z / T). Answers are expressions in the grammar (graders/math/parse.py)."""

from __future__ import annotations

NAMES = ("z1", "z2", "z3")


def _sum(T: int, scale: bool = True) -> str:
    return " + ".join(f"exp({z}/{T})" if scale else f"exp({z})" for z in NAMES)


def _p(k: int, T: int, scale: bool = True) -> str:
    """p_k = softmax(z / T)_k as an expression (softmax(z)_k when scale is False)."""
    z = NAMES[k - 1]
    top = f"exp({z}/{T})" if scale else f"exp({z})"
    return f"{top}/({_sum(T, scale)})"


def _onehot(y: int, j: int) -> str:
    return " - 1" if j == y else ""


def answer(T: int, y: int, j: int) -> str:
    return f"({_p(j, T)}{_onehot(y, j)})/{T}"


def no_chain_factor(T: int, y: int, j: int) -> str:
    return f"{_p(j, T)}{_onehot(y, j)}"


def sign_flipped(T: int, y: int, j: int) -> str:
    return f"-({answer(T, y, j)})"


def no_minus_one(T: int, y: int, j: int) -> str | None:
    return f"({_p(j, T)})/{T}" if j == y else None


def minus_one_for_other_class(T: int, y: int, j: int) -> str | None:
    return f"({_p(j, T)} - 1)/{T}" if j != y else None


def softmax_of_raw_logits(T: int, y: int, j: int) -> str:
    return f"({_p(j, T, scale=False)}{_onehot(y, j)})/{T}"

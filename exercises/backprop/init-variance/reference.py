"""Bounds a of U(-a, a) for a network n0 -> n1 (ReLU) -> n2 (tanh): He's rule for layer 1,
Glorot's (gain 1) for layer 2, with Var(U(-a, a)) = a^2 / 3."""

from __future__ import annotations

import math


def _bound(variance: float) -> float:
    return math.sqrt(3 * variance)


def answer(n0: int, n1: int, n2: int) -> list[float]:
    return [_bound(2 / n0), _bound(2 / (n1 + n2))]


def variances(n0: int, n1: int, n2: int) -> list[float]:
    return [2 / n0, 2 / (n1 + n2)]


def standard_deviations(n0: int, n1: int, n2: int) -> list[float]:
    return [math.sqrt(2 / n0), math.sqrt(2 / (n1 + n2))]


def he_fan_out(n0: int, n1: int, n2: int) -> list[float]:
    return [_bound(2 / n1), answer(n0, n1, n2)[1]]


def he_without_two(n0: int, n1: int, n2: int) -> list[float]:
    return [_bound(1 / n0), answer(n0, n1, n2)[1]]


def glorot_fan_in_only(n0: int, n1: int, n2: int) -> list[float]:
    return [answer(n0, n1, n2)[0], _bound(1 / n1)]


def he_for_tanh(n0: int, n1: int, n2: int) -> list[float]:
    return [answer(n0, n1, n2)[0], _bound(2 / n1)]


def glorot_for_relu(n0: int, n1: int, n2: int) -> list[float]:
    return [_bound(2 / (n0 + n1)), answer(n0, n1, n2)[1]]


def tanh_gain(n0: int, n1: int, n2: int) -> list[float]:
    return [answer(n0, n1, n2)[0], 5 / 3 * answer(n0, n1, n2)[1]]

"""Whether a constant is zero (graders.math.zero): exactly for radicals, at rising precision for
the rest, in bounded time; and the budget that bounds SymPy (graders.math.budget)."""

from __future__ import annotations

import time

import pytest

from graders.math import parse as mp
from graders.math import zero
from graders.math.budget import Timeout, with_budget


def constant(text: str) -> object:
    return mp.parse_expression(text, ())


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("sqrt(11 + 6 sqrt(2)) - 3 - sqrt(2)", "exact"),
        ("sqrt(5 + 2 sqrt(6)) - sqrt(2) - sqrt(3)", "exact"),
        ("(sqrt(3) + 1)/sqrt(2) - sqrt(2 + sqrt(3))", "exact"),
        ("(2 + sqrt(5))^(1/3) - (1 + sqrt(5))/2", "exact"),
        ("log(6) - log(2) - log(3)", "high precision"),
        ("sin(1)^2 + cos(1)^2 - 1", "high precision"),
        ("tanh(2) - (exp(4) - 1)/(exp(4) + 1)", "high precision"),
    ],
)
def test_zero_written_differently_is_zero(text: str, how: str) -> None:
    assert zero.decide_zero(constant(text)) == (True, how)


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("sqrt(12 + 6 sqrt(2)) - 3 - sqrt(2)", "high precision"),
        # neither settled nor shrinking at 480 digits: the EXTRA rung (960) settles it
        ("sqrt(11 + 6 sqrt(2)) - 3 - sqrt(2) + 10^-300", "high precision"),
        ("log(6) - log(2) - log(3) + 10^-100", "high precision"),
        ("exp(-200)", "high precision"),  # tiny, yet stable as the precision rises
        ("10^-300", "exact"),
    ],
)
def test_a_tiny_nonzero_constant_is_nonzero(text: str, how: str) -> None:
    assert zero.decide_zero(constant(text)) == (False, how)


def test_a_rounding_residue_shrinks_and_a_real_value_stays() -> None:
    # e^100 ~ 1e43: at 60 digits these sums keep almost nothing of what is left after cancelling
    assert zero.numeric_zero(constant("exp(100)*(1 + sqrt(2)) - exp(100)*sqrt(2) - exp(100)"))
    assert (
        zero.numeric_zero(constant("exp(100)*(1 + sqrt(2)) - exp(100)*sqrt(2) - exp(100) + 1e-30"))
        is False
    )


def test_only_rationals_and_rational_powers_are_algebraic() -> None:
    assert zero.algebraic(constant("sqrt(11 + 6 sqrt(2)) - 2^(1/3)/7"))
    for text in ("pi - 3", "log(2)", "sqrt(2) + e", "sin(1)"):
        assert not zero.algebraic(constant(text)), text
    assert zero.exact_zero(constant("log(6) - log(2) - log(3)")) is None


def test_a_constant_is_required() -> None:
    with pytest.raises(ValueError):
        zero.decide_zero(mp.parse_expression("x - x^2"))


def test_the_exact_time_is_shared_by_one_answer_and_then_released() -> None:
    hard = "sqrt(11 + 6 sqrt(2))*(2^(1/3) + 3^(1/5) + 5^(1/7) + 7^(1/11))"
    hard += " - (3 + sqrt(2))*(2^(1/3) + 3^(1/5) + 5^(1/7) + 7^(1/11))"
    zero.share_exact_time(0.0)
    try:
        started = time.perf_counter()
        # no exact time left: the numeric answer stands, at once
        assert zero.decide_zero(constant(hard)) == (True, "high precision")
        assert zero.exact_zero(constant("sqrt(11 + 6 sqrt(2)) - 3 - sqrt(2)")) is None
        assert time.perf_counter() - started < 0.5
    finally:
        zero.share_exact_time(None)
    assert zero.exact_zero(constant("sqrt(11 + 6 sqrt(2)) - 3 - sqrt(2)")) is True


def test_a_budget_stops_a_call_that_would_not_end() -> None:
    def forever() -> None:
        while True:
            pass

    started = time.perf_counter()
    with pytest.raises(Timeout):
        with_budget(0.2, forever)
    assert time.perf_counter() - started < 1.0
    assert with_budget(1.0, sum, [1, 2]) == 3
    with pytest.raises(Timeout):
        with_budget(0.0, sum, [1, 2])

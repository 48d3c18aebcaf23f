"""Deciding math answers (graders.math.check): equivalence, tolerances, hints, and every answer
decided in bounded time in the sandbox, however hostile."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest

from graders.math import check as mathcheck
from graders.math import grade as mathgrade
from graders.math import parse as mp
from graders.sandbox.controller import Sandbox


def decide(kind: str, answer: str, expected: Any, **extra: Any) -> dict[str, Any]:
    request = {
        "type": kind,
        "answer": answer,
        "rtol": extra.pop("rtol", 1e-6),
        "atol": extra.pop("atol", 0.0),  # graders.schema.MathSpec's defaults
        "variables": extra.pop("variables", []),
        "options": extra.pop("options", []),
        "mistakes": extra.pop("mistakes", []),
    }
    if isinstance(expected, str) and kind not in mathcheck.CHOICE_TYPES:
        request["expected_text"] = expected
    else:
        request["expected"] = expected
    return mathcheck.decide(request)


# -- symbolic equivalence --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("sigma(x)*(1-sigma(x))", "exp(-x)/(1+exp(-x))^2"),
        ("3 sigma(3x - 2)(1 - sigma(3x - 2))", "3/4 (1 - tanh((3x - 2)/2)^2)"),
        ("tanh(x)", "(exp(2x) - 1)/(exp(2x) + 1)"),
        ("sin(x)^2 + cos(x)^2", "1"),
        ("2x", "x + x"),
        ("log(1 + exp(x)) - log(1 + exp(-x))", "x"),
    ],
)
def test_true_identities_are_equivalent(answer: str, expected: str) -> None:
    assert decide("symbolic", answer, expected)["status"] == "accepted"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("abs(tanh(x))*abs(x)", "tanh(x)*x"), ("sqrt(x^2 + 2x + 1)", "abs(x + 1)")],
)
def test_identities_simplify_misses_are_decided_by_random_points(
    answer: str, expected: str
) -> None:
    a, b = mp.parse_expression(answer), mp.parse_expression(expected)
    ok, how, _ = mathcheck.equivalent(a, b)
    assert ok and how == "points"


def test_points_alone_decide_when_simplify_has_no_time() -> None:
    a = mp.parse_expression("sigma(x)*(1-sigma(x))")
    b = mp.parse_expression("exp(-x)/(1+exp(-x))^2")
    assert mathcheck.equivalent(a, b, simplify_seconds=0.0)[:2] == (True, "points")


@pytest.mark.parametrize(
    "answer",
    ["x + 1e-12", "x + 1e-40", "x + 1e-100*(sin(x)^2 + cos(x)^2)", "x*(1 + 1e-30)", "x + 10^-300"],
)
def test_a_tiny_difference_is_still_a_difference(answer: str) -> None:
    result = decide("symbolic", answer, "x")
    assert result["status"] == "rejected", result


def test_symbolic_hints() -> None:
    assert decide("symbolic", "-tanh(x)", "tanh(x)")["hint"] == "The sign is flipped."
    chain = decide("symbolic", "sigma(3x)(1 - sigma(3x))", "3 sigma(3x)(1 - sigma(3x))")
    assert "constant (1/3)" in chain["hint"] and "chain rule" in chain["hint"]
    assert "by a constant" in decide("symbolic", "x^2 + 1", "x^2")["hint"]
    assert "depends on y" in decide("symbolic", "x + y", "x")["hint"]
    assert decide("symbolic", "x^2", "x")["hint"] is None


def test_declared_mistakes_win_over_generic_hints() -> None:
    mistakes = [{"text": "sigma(3x)(1 - sigma(3x))", "hint": "Chain rule: times 3."}]
    result = decide(
        "symbolic", "sigma(3x)*(1-sigma(3x))", "3 sigma(3x)(1-sigma(3x))", mistakes=mistakes
    )
    assert result["hint"] == "Chain rule: times 3."
    assert result["understood"] == "(1 - sigma(3*x))*sigma(3*x)"


# -- constants: equal ones written differently are equal, decided exactly -------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("sqrt(11 + 6 sqrt(2))", "3 + sqrt(2)"),
        ("sqrt(5 + 2 sqrt(6))", "sqrt(2) + sqrt(3)"),
        ("(sqrt(3) + 1)/sqrt(2)", "sqrt(2 + sqrt(3))"),
        ("sqrt(7 - 4 sqrt(3))", "2 - sqrt(3)"),
        ("sqrt(3 - 2 sqrt(2))", "sqrt(2) - 1"),
        ("(2 + sqrt(5))^(1/3)", "(1 + sqrt(5))/2"),
        ("log(6)", "log(2) + log(3)"),
        ("sin(1)^2 + cos(1)^2", "1"),
        ("x + sqrt(11 + 6 sqrt(2))", "x + 3 + sqrt(2)"),
        ("x sqrt(5 + 2 sqrt(6))", "(sqrt(2) + sqrt(3)) x"),
    ],
)
def test_equal_constants_written_differently_are_accepted(answer: str, expected: str) -> None:
    result = decide("symbolic", answer, expected)
    assert result["status"] == "accepted", result
    assert result["details"]["decided_by"] != "points" or "x" in answer, result


@pytest.mark.parametrize(
    ("answer", "expected", "hint"),
    [
        ("sqrt(12 + 6 sqrt(2))", "3 + sqrt(2)", None),
        ("3 + sqrt(2) + 10^-300", "sqrt(11 + 6 sqrt(2))", None),  # only the exact test sees it
        ("pi + 10^-50", "pi", None),
        ("log(6) + 10^-100", "log(2) + log(3)", None),
        ("-sqrt(11 + 6 sqrt(2))", "3 + sqrt(2)", "The sign is flipped."),
        ("2 sqrt(5 + 2 sqrt(6))", "sqrt(2) + sqrt(3)", "Your value is 2 times too large."),
        (
            "x + sqrt(11 + 6 sqrt(2)) + 1e-45",
            "x + 3 + sqrt(2)",
            "Your answer differs from the expected one by a constant.",
        ),
    ],
)
def test_different_constants_stay_different(answer: str, expected: str, hint: str | None) -> None:
    result = decide("symbolic", answer, expected)
    assert result["status"] == "rejected", result
    assert result["hint"] == hint
    assert result["details"]["decided_by"] == "constant difference"


def test_two_constants_are_not_said_to_differ_by_a_constant() -> None:
    # any two different numbers do: the hint would say nothing
    assert decide("symbolic", "sqrt(2)", "1.41421356")["hint"] is None


def test_expressions_are_compared_relatively_however_small() -> None:
    assert decide("symbolic", "1e-40 x", "2e-40 x")["status"] == "rejected"
    assert decide("symbolic", "1e-40 x", "x/10^40")["status"] == "accepted"
    assert decide("symbolic", "exp(-200) x^2", "x^2/exp(200)")["status"] == "accepted"
    assert decide("symbolic", "exp(-200) x^2", "(1 + 1e-30) x^2/exp(200)")["status"] == "rejected"


def test_large_terms_that_cancel_do_not_reject_an_equal_answer() -> None:
    # e^200 ~ 1e87: at 60 digits the sum keeps no digit of x; the gap shrinks as precision rises
    a = mp.parse_expression("exp(200)*(x + 1) - exp(200)*x - exp(200) + x")
    assert mathcheck.equivalent(a, mp.parse_expression("x"))[0]
    assert not mathcheck.equivalent(a, mp.parse_expression("x + 1e-20"))[0]


# -- numbers: the tolerance is exact, with Fractions -----------------------------------------


def test_the_tolerance_boundary_is_inside() -> None:
    # "to 3 decimals" = atol 5e-4: 0.1245 is exactly 5e-4 away from 0.124 (in binary, a hair more)
    assert decide("numeric", "0.1245", 0.124, rtol=0, atol=5e-4)["status"] == "accepted"
    assert decide("numeric", "0.12451", 0.124, rtol=0, atol=5e-4)["status"] == "rejected"
    assert decide("numeric", "1.001", 1.0, rtol=1e-3, atol=0)["status"] == "accepted"
    assert decide("numeric", "1.0011", 1.0, rtol=1e-3, atol=0)["status"] == "rejected"
    assert decide("numeric", "1/3", 0.3333333333333333, rtol=1e-12, atol=0)["status"] == "accepted"


def test_the_tolerance_is_relative_to_the_expected_value_however_small_or_large() -> None:
    for expected in (1e-33, 1e30, -1e-33, -1e30):
        for factor, status in ((1.005, "accepted"), (0.995, "accepted"), (1.06, "rejected")):
            answer = repr(expected * factor)
            got = decide("numeric", answer, expected, rtol=0.01, atol=0)["status"]
            assert got == status, (answer, expected)
    assert decide("numeric", "1e-33", -1e-33, rtol=0.01, atol=0)["hint"] == "The sign is flipped."


def test_the_absolute_floor_decides_near_zero() -> None:
    assert decide("numeric", "0", 1e-40, rtol=0.01, atol=0)["status"] == "rejected"
    assert decide("numeric", "1e-40", 0, rtol=0.01, atol=0)["status"] == "rejected"
    assert decide("numeric", "0", 1e-40, rtol=0.01, atol=1e-30)["status"] == "accepted"
    assert decide("numeric", "1e-40", 0, rtol=0.01, atol=1e-30)["status"] == "accepted"
    assert decide("numeric", "-2e-30", 0, rtol=0.01, atol=1e-30)["status"] == "rejected"
    assert decide("numeric", "0", 0, rtol=0, atol=0)["status"] == "accepted"


def test_the_default_floor_is_zero() -> None:
    """Unstated, atol is 0 in exercise.toml and on the command line: rtol keeps its meaning."""
    from graders.math.cli import DEFAULT_ATOL
    from graders.schema import MathSpec

    assert MathSpec(answer_type="numeric").atol == 0 == DEFAULT_ATOL
    meta = {"rtol": MathSpec(answer_type="numeric").rtol}
    got, want = mp.parse_number("1.00001e-20"), mp.parse_number("1e-20")
    assert not mathcheck.close(got, want, meta)


def test_arrays_apply_the_rule_to_each_entry_at_its_own_scale() -> None:
    expected = [[1e30, 0.0], [-5e-20, 3.0]]
    assert decide("array", "[[1.0000005e30, 0], [-5e-20, 3]]", expected)["status"] == "accepted"
    tiny = decide("array", "[[1e30, 0], [-5.1e-20, 3]]", expected)
    assert tiny["message"] == "1 of 4 entries is wrong: row 2 column 1.", tiny
    zero = decide("array", "[[1e30, 1e-12], [-5e-20, 3]]", expected)
    assert zero["message"] == "1 of 4 entries is wrong: row 1 column 2.", zero
    floor = decide("array", "[[1e30, 1e-12], [-5e-20, 3]]", expected, atol=1e-9)
    assert floor["status"] == "accepted"  # the stated floor lets the 0 through, and -5e-20 too
    assert decide("array", "[[1e30, 0], [0, 3]]", expected, atol=1e-9)["status"] == "accepted"


def test_equal_irrational_numbers_are_equal_with_zero_tolerance() -> None:
    exact = {"rtol": 0, "atol": 0}
    assert decide("numeric", "sqrt(11 + 6 sqrt(2))", "3 + sqrt(2)", **exact)["status"] == (
        "accepted"
    )
    assert decide("numeric", "sqrt(11 + 6 sqrt(2)) - 3 - sqrt(2)", 0, **exact)["status"] == (
        "accepted"
    )
    assert decide("numeric", "sin(1)^2 + cos(1)^2", 1, **exact)["status"] == "accepted"
    assert decide("numeric", "3 + sqrt(2) + 10^-60", "sqrt(11 + 6 sqrt(2))", **exact)["status"] == (
        "rejected"
    )
    # e^100 ~ 1e43: at 50 digits the sum keeps 7 digits of 1/3; the value is settled higher
    cancelling = "exp(100)*(1 + sqrt(2)) - exp(100)*sqrt(2) - exp(100) + 1/3"
    assert decide("numeric", cancelling, "1/3", rtol=1e-40, atol=0)["status"] == "accepted"
    assert decide("numeric", cancelling, "1/3 + 1e-39", rtol=1e-45, atol=0)["status"] == (
        "rejected"
    )


def test_exact_answers_with_zero_tolerance() -> None:
    assert decide("numeric", "4640", 4640, rtol=0, atol=0)["status"] == "accepted"
    assert decide("numeric", "4641", 4640, rtol=0, atol=0)["hint"] == "Off by one."
    assert decide("numeric", "sqrt(2)/2", "1/sqrt(2)", rtol=0, atol=0)["status"] == "accepted"
    assert decide("numeric", "0.1 + 0.2", 0.3, rtol=0, atol=0)["status"] == "accepted"


def test_numeric_hints() -> None:
    assert decide("numeric", "-2.5", 2.5)["hint"] == "The sign is flipped."
    assert decide("numeric", "5", 2.5)["hint"] == "Your value is 2 times too large."
    assert decide("numeric", "0.025", 2.5)["hint"] == "Your value is 100 times too small."
    assert "keep more digits" in decide("numeric", "0.124", 0.1235, rtol=0, atol=1e-4)["hint"]
    assert decide("numeric", "7", 2.5)["hint"] is None


# -- arrays ----------------------------------------------------------------------------------


def test_arrays_check_the_shape_first_then_name_the_wrong_entries() -> None:
    expected = [[1, 2, 3], [4, 5, 6]]
    wrong_shape = decide("array", "[[1, 4], [2, 5], [3, 6]]", expected)
    assert "Expected a 2×3 matrix" in wrong_shape["message"]
    assert wrong_shape["hint"] == "Your matrix is the transpose of the expected one."
    one = decide("array", "1 2 3; 4 5 7", expected)
    assert one["message"] == "1 of 6 entries is wrong: row 2 column 3."
    assert one["details"]["wrong_entries"] == [[1, 2]]
    assert decide("array", "-1 -2 -3; -4 -5 -6", expected)["hint"] == "Every sign is flipped."
    assert "2 times too large" in decide("array", "2 4 6; 8 10 12", expected)["hint"]
    square = decide("array", "[[1, 3], [2, 4]]", [[1, 2], [3, 4]])
    assert square["hint"] == "Your matrix is the transpose of the expected one."


def test_a_vector_may_be_typed_as_a_row_or_a_column() -> None:
    for text in ("[1, 2, 3]", "[[1, 2, 3]]", "1; 2; 3", "1\n2\n3"):
        assert decide("array", text, [1, 2, 3])["status"] == "accepted", text


# -- shapes ----------------------------------------------------------------------------------


def test_shape_hints() -> None:
    plus_one = decide("shape", "(2, 16, 14, 13)", [2, 16, 15, 14])
    assert "+1 missing" in plus_one["hint"] and plus_one["message"] == "Sizes 3, 4 of 4 are wrong."
    assert "1 too large" in decide("shape", "(2, 16, 16, 15)", [2, 16, 15, 14])["hint"]
    assert "wrong order" in decide("shape", "(2, 15, 16, 14)", [2, 16, 15, 14])["hint"]
    assert "reverse" in decide("shape", "(14, 15, 16, 2)", [2, 16, 15, 14])["hint"]
    assert "one per dimension" in decide("shape", "(16, 15, 14)", [2, 16, 15, 14])["message"]


# -- choices ---------------------------------------------------------------------------------

OPTIONS = [["A", "saturation"], ["B", "normalise"], ["C", "variance"], ["D", "cheaper"]]
MISTAKES = [
    {"choice": "normalise", "hint": "That is the softmax."},
    {"missing": "saturation", "hint": "Think about saturation."},
]


def test_multiple_choice() -> None:
    right = ["variance", "saturation"]
    assert decide("multi_choice", "C, A", right, options=OPTIONS)["status"] == "accepted"
    assert decide("multi_choice", "ac", right, options=OPTIONS)["status"] == "accepted"
    extra = decide("multi_choice", "A B C", right, options=OPTIONS, mistakes=MISTAKES)
    assert extra["message"] == "1 of your choices is wrong."
    assert extra["hint"] == "That is the softmax."
    missing = decide("multi_choice", "C", right, options=OPTIONS, mistakes=MISTAKES)
    assert missing["message"] == "1 correct option is missing."
    assert missing["hint"] == "Think about saturation."
    assert decide("multi_choice", "E", right, options=OPTIONS)["status"] == "invalid"
    single = decide("choice", "B", "normalise", options=OPTIONS)
    assert single["status"] == "accepted"
    assert decide("choice", "A, B", "normalise", options=OPTIONS)["status"] == "invalid"


def test_unparseable_answers_are_invalid_with_a_message_saying_what_was_expected() -> None:
    for kind, text, needle in [
        ("numeric", "twelve", "Expected a number such as 0.25"),
        ("array", "[1, 2", "Expected a matrix such as [[1, 2], [3, 4]]"),
        ("shape", "(N, C)", "Expected a shape such as (2, 16, 15, 14)"),
        ("symbolic", "sigmoid(x)", "Expected an expression such as"),
    ]:
        expected = {"numeric": "1", "array": "[1, 2]", "shape": "(1, 2)", "symbolic": "x"}[kind]
        result = decide(kind, text, expected)
        assert result["status"] == "invalid" and needle in result["message"], result


def test_an_unreadable_expected_answer_is_an_error_not_a_verdict() -> None:
    assert decide("numeric", "1", "not a number")["status"] == "error"
    assert decide("shape", "(1,)", [1.5])["status"] == "error"


# -- bounded time, in the sandbox ------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox(grader: Any) -> Iterator[Sandbox]:
    """The grader's "sympy" sandbox (its zygote starts once for the session)."""
    state = grader.math
    state.sandbox.start()
    yield state.sandbox


HOSTILE = [
    "9^9^9^9",
    "(" * 10_000,
    "x" * 10_000,
    "1" * 5_000,
    "sigma(" * 29 + "x" + ")" * 29,
    "exp(exp(exp(exp(exp(x)))))",
    "x^1000 + (x + 1)^1000 - x^999",
    "sin(10^300 x) + tanh(x)^999",
    "((x+1)^100 - 1)/x",
    "x" + "+x" * 190,
    "\x00\x01\x02" * 100,
    "2^(2^(2^(2^(2^(2^x)))))",
]


@pytest.mark.parametrize("answer", HOSTILE)
def test_hostile_answers_are_decided_quickly_in_the_sandbox(sandbox: Sandbox, answer: str) -> None:
    started = time.perf_counter()
    result = mathgrade.compare_texts(sandbox, "symbolic", answer, "sigma(x)", rtol=0, atol=0)
    elapsed = time.perf_counter() - started
    assert result["status"] in ("rejected", "invalid"), result
    assert elapsed < 3.0, f"{elapsed:.2f} s"


_ROOTS = "(2^(1/3) + 3^(1/5) + 5^(1/7) + 7^(1/11))"
HOSTILE_CONSTANTS = [
    # equal: minimal_polynomial would run for minutes; its budget runs out, precision decides
    ("symbolic", f"sqrt(11 + 6 sqrt(2)) {_ROOTS}", f"(3 + sqrt(2)) {_ROOTS}", "accepted"),
    ("symbolic", f"sqrt(11 + 6 sqrt(2)) {_ROOTS} + 10^-300", f"(3 + sqrt(2)) {_ROOTS}", "rejected"),
    # many zeros written as radicals: the budget is shared by the whole answer
    (
        "array",
        "["
        + ", ".join(
            f"sqrt({k} + 2 sqrt({k * (k + 1)}) + {k + 1}) - sqrt({k}) - sqrt({k + 1})"
            for k in range(1, 50)
        )
        + "]",
        "[" + ", ".join(["0"] * 48 + ["1"]) + "]",
        "rejected",
    ),
]


@pytest.mark.parametrize(("kind", "answer", "expected", "status"), HOSTILE_CONSTANTS)
def test_hostile_constants_are_decided_within_the_budget(
    sandbox: Sandbox, kind: str, answer: str, expected: str, status: str
) -> None:
    started = time.perf_counter()
    result = mathgrade.compare_texts(sandbox, kind, answer, expected, rtol=0, atol=0)
    elapsed = time.perf_counter() - started
    assert result["status"] == status, result
    assert elapsed < 3.0, f"{elapsed:.2f} s"


def test_the_hard_limit_kills_what_the_checker_would_not_stop(sandbox: Sandbox) -> None:
    request = '{"type": "symbolic", "answer": "x", "expected_text": "x"}'
    limits = {"wall_seconds": 0.3, "cpu_seconds": 0.3, "memory_mb": 256}
    # A job that never returns: the checker's entry point is replaced by an endless loop.
    job_source = "def check(request):\n    while True:\n        pass\n"
    buffers: list[bytes] = []
    from graders import protocol

    started = time.perf_counter()
    outcome = sandbox.run(
        {
            "kind": "student",
            "source": job_source,
            "filename": "loop.py",
            "entry_point": "check",
            "framework": "numpy",
            "banned": [],
            "limits": limits,
            "cases": [{"index": 0, "args": protocol.encode_value([request], buffers)}],
        },
        buffers,
    )
    assert mathgrade._result(outcome, limits) == (None, "time")
    assert time.perf_counter() - started < 2.0


def test_symbolic_answers_are_decided_in_tens_of_milliseconds(sandbox: Sandbox) -> None:
    times = []
    for _ in range(7):
        started = time.perf_counter()
        result = mathgrade.compare_texts(
            sandbox,
            "symbolic",
            "3 sigma(3x - 2)(1 - sigma(3x - 2))",
            "3 exp(-(3x - 2))/(1 + exp(-(3x - 2)))^2",
            rtol=0,
            atol=0,
        )
        times.append(time.perf_counter() - started)
        assert result["status"] == "accepted"
    assert statistics.median(times) < 0.5

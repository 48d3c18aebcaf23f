"""The math answer parsers (graders.math.parse): what people type is read, the rest is refused with
a message, anything that parses prints back to an equivalent value, and garbage never crashes
or hangs."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graders.math import check as mathcheck
from graders.math import parse as mp

PARSE_SECONDS = 1.0  # every parse, whatever the input, is decided well within this
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def relaxed_caps() -> Iterator[None]:
    """The caps are for what students type; our own printout of a long answer may exceed them
    (e.g. `2xy` prints as `2*x*y`, 10^299 as 300 digits). Re-parse printouts with room."""
    saved = (mp.MAX_CHARS, mp.MAX_TOKENS, mp.MAX_LITERAL, mp.MAX_ANSWER_CHARS, mp.MAX_ENTRIES)
    mp.MAX_CHARS, mp.MAX_TOKENS, mp.MAX_LITERAL = 10**6, 10**5, 10**4
    mp.MAX_ANSWER_CHARS, mp.MAX_ENTRIES = 10**6, 10**5
    try:
        yield
    finally:
        mp.MAX_CHARS, mp.MAX_TOKENS, mp.MAX_LITERAL, mp.MAX_ANSWER_CHARS, mp.MAX_ENTRIES = saved


def timed(func, *args):
    started = time.perf_counter()
    try:
        return func(*args), None
    except mp.ParseError as exc:
        return None, exc
    finally:
        elapsed = time.perf_counter() - started
        assert elapsed < PARSE_SECONDS, f"{func.__name__} took {elapsed:.2f} s on {args!r:.200}"


# -- what people type ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.25", Fraction(1, 4)),
        ("1/4", Fraction(1, 4)),
        ("2.5e-3", Fraction(1, 400)),
        ("-3", Fraction(-3)),
        ("  +7 ", Fraction(7)),
        (".5", Fraction(1, 2)),
        ("3.", Fraction(3)),
        ("2^-2", Fraction(1, 4)),
        ("2**3", Fraction(8)),
        ("(1/2)(1/3)", Fraction(1, 6)),
        ("−0.5", Fraction(-1, 2)),  # a Unicode minus pasted from a PDF
        ("3 × 4", Fraction(12)),
        ("x = 12", Fraction(12)),  # one '=': the value after it
    ],
)
def test_numbers_are_exact(text: str, value: Fraction) -> None:
    number = mp.parse_number(text)
    assert number.exact and number.fraction() == value


def test_irrational_numbers_are_known_to_50_digits() -> None:
    number = mp.parse_number("sqrt(2)/2")
    assert not number.exact
    assert abs(
        number.fraction() - Fraction("0.70710678118654752440084436210484903928483593768847")
    ) < Fraction(1, 10**48)
    assert float(mp.parse_number("e^-1")) == pytest.approx(0.36787944117144233)
    assert float(mp.parse_number("sigma(0)")) == 0.5


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("x", "a number is expected"),
        ("4,640", "thousands"),
        ("1,5", "dot for decimals"),
        ("2 3", "write * between"),
        ("(1 + 2", "never closed"),
        ("1 + 2)", "closes nothing"),
        ("1/0", "division by zero"),
        ("log(0)", "log(0)"),
        ("sqrt(-1)", "not a real number"),
        ("1e999", "too large"),
        ("e^1000", "too large"),
        ("exp(exp(exp(100)))", "cannot be computed"),
        ("12 %", "unexpected character"),
        ("70.7%", "70.7% is 0.707"),
        ("90°", "radians"),
        ("sigmoid(1)", "sigma"),
        ("Exp(1)", "did you mean exp"),
        ("sin^2(1)", "sin(...)^2"),
        ("sqrt 4", "with parentheses"),
        ("import os", "unknown name"),
        ("__import__('os')", "unknown name"),
    ],
)
def test_numbers_refused_with_a_message(text: str, needle: str) -> None:
    with pytest.raises(mp.ParseError) as info:
        mp.parse_number(text)
    assert needle.lower() in str(info.value).lower()


@pytest.mark.parametrize(
    ("text", "shape", "first"),
    [
        ("[[1, 2], [3, 4]]", (2, 2), 1),
        ("[[1,2,3],[4,5,6]]", (2, 3), 1),
        ("1 2; 3 4", (2, 2), 1),
        ("1, 2\n3, 4\n", (2, 2), 1),
        ("[1 -2; 3 4]", (2, 2), 1),
        ("[-1, 2, 3]", (3,), -1),
        ("-1 2 3", (3,), -1),
        ("[sqrt(2)/2, 1/2]", (2,), Fraction(1, 2)),
        ("[[0.5, 2.5e-3]]", (1, 2), Fraction(1, 2)),
    ],
)
def test_arrays(text: str, shape: tuple[int, ...], first: object) -> None:
    array = mp.parse_array(text)
    assert array.shape == shape
    value = array.entries[0]
    if value.exact:
        assert value.fraction() == first
    else:
        assert float(value) == pytest.approx(2**-0.5)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[[1, 2], [3]]", "same number of entries"),
        ("[[1, 2], [3, x]]", "row 2, entry 2"),
        ("1 / 2 3", "separated by spaces"),
        ("[[[1]]]", "at most 2-d"),
        ("[1, 2", "unbalanced"),
        ("1, , 2", "empty"),
        ("", "empty"),
        ("[" + ", ".join(["1"] * 500) + "]", "too many entries"),
    ],
)
def test_arrays_refused_with_a_message(text: str, needle: str) -> None:
    with pytest.raises(mp.ParseError) as info:
        mp.parse_array(text)
    message = str(info.value).lower()
    assert needle in message and "expected a matrix such as" in message


@pytest.mark.parametrize(
    "text",
    ["(2,16,15,14)", "(2, 16, 15, 14)", "2x16x15x14", "2 × 16 × 15 × 14", "[2, 16, 15, 14]",
     "2 16 15 14", " 2X16x15x14 ", "2*16*15*14"],
)  # fmt: skip
def test_shapes(text: str) -> None:
    assert mp.parse_shape(text) == (2, 16, 15, 14)


def test_shape_edge_cases() -> None:
    assert mp.parse_shape("(5,)") == (5,)
    assert mp.parse_shape("5") == (5,)
    assert mp.parse_shape("()") == ()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("(2, -3)", "negative"),
        ("(2.5, 3)", "not a whole number"),
        ("(N, 3)", "not a whole number"),
        ("((2, 3))", "brackets"),
        ("(2, 3", "brackets"),
        ("(2, , 3)", "empty"),
        ("(" + ", ".join(["2"] * 20) + ")", "too many dimensions"),
        ("(12345678901, 2)", "too large"),
    ],
)
def test_shapes_refused_with_a_message(text: str, needle: str) -> None:
    with pytest.raises(mp.ParseError) as info:
        mp.parse_shape(text)
    assert needle in str(info.value)


def test_choices() -> None:
    letters = list("ABCDE")
    assert mp.parse_choices("b", letters, False) == ["B"]
    assert mp.parse_choices("(C)", letters, False) == ["C"]
    assert mp.parse_choices("Option D.", letters, False) == ["D"]
    for text in ("A, C", "C A", "a and c", "AC", "[A; C]", "A/C"):
        assert mp.parse_choices(text, letters, True) == ["A", "C"], text
    for text, needle in [
        ("A, C", "one option only"),
        ("F", "not one of the options A, B, C, D, E"),
        ("", "empty"),
        ("because", "not one of the options"),
    ]:
        with pytest.raises(mp.ParseError, match=needle):
            mp.parse_choices(text, letters, False)
    with pytest.raises(mp.ParseError, match="twice"):
        mp.parse_choices("A, A", letters, True)


# -- expressions -----------------------------------------------------------------------------

X, Y, A, B = (sp.Symbol(n, real=True) for n in "xyab")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x", 2 * X),
        ("2 x", 2 * X),
        ("x y", X * Y),
        ("xy", X * Y),
        ("ax^2", A * X**2),  # the power binds to x only
        ("-x^2", -(X**2)),
        ("2^3^2", sp.Integer(512)),  # right-associative
        ("1/2x", X / 2),  # implicit product at the precedence of *
        ("a sigma(ax+b)", A * mp.sigma(A * X + B)),
        ("asigma(x)", A * mp.sigma(X)),
        ("sigma(x)(1 - sigma(x))", mp.sigma(X) * (1 - mp.sigma(X))),
        ("(x+1)(x-1)", (X + 1) * (X - 1)),
        ("e^x", sp.exp(X)),
        ("ln(x) - log(x)", sp.Integer(0)),
        ("pix", sp.pi * X),
        ("abs(x) + |", None),
        ("f'(x) = 3x", 3 * X),
    ],
)
def test_expressions(text: str, expected: sp.Expr | None) -> None:
    if expected is None:
        with pytest.raises(mp.ParseError, match="abs"):
            mp.parse_expression(text)
        return
    assert mp.parse_expression(text) == expected


def test_declared_variables_replace_the_defaults_and_are_case_sensitive() -> None:
    names = mp.Names(("H", "p", "k", "s"))
    expr = mp.parse_expression("(H + 2p - k)/s + 1", names)
    assert {s.name for s in expr.free_symbols} == {"H", "p", "k", "s"}
    with pytest.raises(mp.ParseError, match="did you mean H"):
        mp.parse_expression("h + 1", names)
    with pytest.raises(mp.ParseError, match="unknown name"):
        mp.parse_expression("x", names)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("9^9^9^9", "exponent"),
        ("x^1001", "exponent"),
        ("2^1000", "too large"),
        ("(" * 40 + "x" + ")" * 40, "nested too deeply"),
        ("-" * 60 + "x", "nested too deeply"),
        ("sigma(" * 40 + "x" + ")" * 40, "nested too deeply"),
        ("x" * 3000, "too long"),
        ("x+" * 300 + "x", "too long"),
        ("1" * 60, "too long"),
        ("tan(pi/2)", "undefined"),
        ("x/(x - x)", "division by zero"),
        ("__class__", "unknown name"),
        ("x.real", "unexpected"),
        ("lambda: 1", "unknown name"),
        ("x[0]", "unexpected"),
        ("sigma(x, y)", "one argument"),
        ("x; y", "unexpected"),
        ("x == y", "one '='"),
        ("'x'", "unexpected character"),
        ("x\x00", "U+0000"),
    ],
)
def test_hostile_expressions_are_refused_fast(text: str, needle: str) -> None:
    _, error = timed(mp.parse_expression, text)
    assert error is not None and needle in str(error), error


# -- property tests: anything that parses prints back to an equivalent value ----------------

LEAVES = ["x", "y", "a", "b", "pi", "e", "0", "1", "2", "3", "10", "0.5", "2.5e-3", "7/3"]
FUNCS = list(mp.FUNCTION_NAMES)


def _expressions() -> st.SearchStrategy[str]:
    leaf = st.sampled_from(LEAVES)

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^", " ", ""]), children)
        return st.one_of(
            binary.map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
            binary.map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            st.tuples(st.sampled_from(FUNCS), children).map(lambda t: f"{t[0]}({t[1]})"),
            children.map(lambda c: f"-({c})"),
        )

    return st.recursive(leaf, extend, max_leaves=10)


def _same_expression(a: sp.Expr, b: sp.Expr) -> bool:
    if a == b:
        return True
    ok, _, _ = mathcheck.equivalent(a, b, simplify_seconds=0.5)
    return ok


@FAST
@given(_expressions())
def test_expressions_print_back_to_an_equivalent_value(text: str) -> None:
    expr, error = timed(mp.parse_expression, text)
    if error is not None:
        return  # refused with a message: nothing to print
    printed = mp.format_expression(expr)
    with relaxed_caps():
        again = mp.parse_expression(printed)
    assert _same_expression(again, expr), (text, printed)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1.06e-33", "1.06e-33"),  # not 53/50000000000000000000000000000000000
        ("-2.5e-40", "-2.5e-40"),
        ("1e30", "1e30"),
        ("123e-25", "1.23e-23"),
        ("0.125", "0.125"),
        ("4640", "4640"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("1/3", "1/3"),
    ],
)
def test_numbers_are_shown_back_as_a_student_types_them(text: str, shown: str) -> None:
    assert mp.format_number(mp.parse_number(text)) == shown


@FAST
@given(
    st.one_of(
        st.integers(-(10**30), 10**30).map(str),
        st.fractions(max_denominator=10**6).map(lambda f: f"{f.numerator}/{f.denominator}"),
        st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e200, max_value=1e200).map(
            repr
        ),
        _expressions().filter(lambda t: not any(v in t for v in "xyab")),
    )
)
def test_numbers_print_back_to_the_same_value(text: str) -> None:
    number, error = timed(mp.parse_number, text)
    if error is not None:
        return
    printed = mp.format_number(number)
    with relaxed_caps():
        again = mp.parse_number(printed)
    if number.exact:
        assert again.exact and again.fraction() == number.fraction(), (text, printed)
    else:
        assert abs(again.fraction() - number.fraction()) <= abs(number.fraction()) / 10**40


_entry = st.one_of(
    st.integers(-999, 999).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-100, max_value=100).map(
        str
    ),
    st.sampled_from(["sqrt(2)/2", "1/3", "-e", "2^-3", "exp(1)/(1 + exp(2))"]),
)


@FAST
@given(
    st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(_entry, min_size=cols, max_size=cols), min_size=1, max_size=5
        )
    ),
    st.sampled_from(["nested", "semicolons", "lines", "spaces"]),
)
def test_arrays_print_back_to_the_same_values(rows: list[list[str]], style: str) -> None:
    if style == "nested":
        text = "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"
    elif style == "semicolons":
        text = "; ".join(", ".join(r) for r in rows)
    elif style == "lines":
        text = "\n".join(", ".join(r) for r in rows)
    else:
        text = "\n".join(" ".join(r) for r in rows)
    array, error = timed(mp.parse_array, text)
    assert error is None, (text, error)
    assert len(array.entries) == sum(len(r) for r in rows)
    with relaxed_caps():
        again = mp.parse_array(mp.format_array(array))
    assert again.shape == array.shape or (len(rows) == 1 and again.shape == (len(rows[0]),))
    for a, b in zip(again.entries, array.entries, strict=True):
        assert abs(a.fraction() - b.fraction()) <= abs(b.fraction()) / 10**40


@FAST
@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
    st.sampled_from(["({})", "[{}]", "{}"]),
    st.sampled_from([", ", ",", "x", " x ", " × ", " "]),
)
def test_shapes_in_every_notation(sizes: list[int], brackets: str, sep: str) -> None:
    text = brackets.format(sep.join(map(str, sizes)))
    shape, error = timed(mp.parse_shape, text)
    assert error is None and shape == tuple(sizes), (text, error)
    assert mp.parse_shape(mp.format_shape(shape)) == shape


@FAST
@given(
    st.sets(st.sampled_from("ABCDEF"), min_size=1), st.sampled_from([", ", " ", " and ", ";", ""])
)
def test_choices_in_every_notation(picked: set[str], sep: str) -> None:
    text = sep.join(sorted(picked, reverse=True)).lower()
    assert mp.parse_choices(text, list("ABCDEF"), True) == sorted(picked)


# -- garbage never crashes and never hangs ---------------------------------------------------

GARBAGE_ALPHABET = st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs", "Cc"])
TOKENS = ["x", "y", "(", ")", "[", "]", "^", "**", "*", "/", "+", "-", ",", ";", " ", "\n", "9",
          "1e300", "0.5", "e", "pi", "sigma", "exp", "log", "sqrt", "tanh", "abs", "=", "|", "."]  # fmt: skip


def _garbage() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(GARBAGE_ALPHABET, max_size=300),
        st.lists(st.sampled_from(TOKENS), max_size=200).map("".join),
        st.lists(st.sampled_from(TOKENS), min_size=300, max_size=1500).map("".join),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_garbage())
def test_garbage_never_crashes_or_hangs(text: str) -> None:
    timed(mp.parse_expression, text)
    timed(mp.parse_number, text)
    timed(mp.parse_array, text)
    timed(mp.parse_shape, text)
    timed(mp.parse_choices, text, list("ABCD"), True)


GARBAGE_EXPECTED = {
    "numeric": "1/3",
    "array": "1 2; 3 4",
    "shape": "(2, 3)",
    "symbolic": "sigma(x)",
    "multi_choice": "A, C",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_garbage(), st.sampled_from(["numeric", "array", "shape", "symbolic", "multi_choice"]))
def test_garbage_answers_get_a_verdict_never_an_exception(text: str, kind: str) -> None:
    request = {
        "type": kind,
        "answer": text,
        "expected_text": GARBAGE_EXPECTED[kind],
        "rtol": 1e-6,
        "atol": 1e-9,
        "variables": [],
        "options": [[letter, letter.lower()] for letter in "ABCD"],
        "mistakes": [],
    }
    started = time.perf_counter()
    result = mathcheck.decide(request)
    assert result["status"] in ("accepted", "rejected", "invalid")
    assert time.perf_counter() - started < 4.0

"""Deciding math answers: the code that runs in the "sympy" sandbox for `check` jobs.

`check(request_json)` parses the student's typed answer (graders.math.parse), compares it with
the expected answer, recognises declared and common mistakes, and returns the verdict data as
JSON (status accepted / rejected / invalid, message, hint, understood). The trusted side sends
the job (graders.math.grade), so that every answer is decided in a child that the zygote kills
at a hard time limit, whatever the answer. The "sympy" zygote preloads this module and calls
`warm_up()` once, before any fork (graders/sandbox/zygote.py).
"""

from __future__ import annotations

import json
import math
import random
import time
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from graders.math import parse as mp
from graders.math.budget import Timeout, with_budget
from graders.math.templates import CHOICE_TYPES
from graders.math.zero import EXACT_SECONDS, decide_zero, numeric_zero, share_exact_time

POINTS = 24  # random points at which two expressions must agree
MIN_POINTS = 8  # fewer usable points than this: only simplify decides
POINT_DIGITS = 60  # working precision of the points, in decimal digits
AGREE = Fraction(1, 10**35)  # relative agreement at a point
SIMPLIFY_SECONDS = 2.0
MAX_LISTED = 6  # wrong entries named in the feedback
FACTORS = (2, 3, 4, 8, 10, 100, 1000, 1024)
SLACK = Fraction(1, 10**40)  # relative: irrational values are known to 50 digits
RESIDUE = Fraction(1, 10**30)  # a gap this small may be rounding: decide it exactly

# -- answers: parsing and comparing ------------------------------------------------------------


def names_for(meta: dict[str, Any]) -> Any:
    variables = meta.get("variables") or list(mp.DEFAULT_VARIABLES)
    return mp.Names(tuple(variables))


def parse_answer(kind: str, text: str, meta: dict[str, Any]) -> Any:
    """The student's text -> a comparable value; graders.math.parse.ParseError (a ValueError) if not."""
    mp._check_length(text, mp.MAX_ANSWER_CHARS, "an answer")
    if kind == "numeric":
        return mp.parse_number(text)
    if kind == "array":
        return mp.parse_array(text)
    if kind == "shape":
        return mp.parse_shape(text)
    if kind == "symbolic":
        try:
            return mp.parse_expression(text, names_for(meta))
        except mp.ParseError as exc:
            raise mp.ParseError(f"{_sentence(exc)} Expected {mp.EXPRESSION_FORM}.") from None
    if kind in CHOICE_TYPES:
        letters = [letter for letter, _ in meta["options"]]
        return mp.parse_choices(text, letters, kind == "multi_choice")
    raise ValueError(f"unknown answer type {kind!r}")


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return mp.Number(sympy.Integer(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not finite: {value}")
        return mp.Number(mp.literal(repr(abs(value)), 0) * (-1 if value < 0 else 1))
    if isinstance(value, str):
        return mp.parse_number(value)
    raise ValueError(f"not a number: {type(value).__name__}")


def as_expected(kind: str, value: Any, meta: dict[str, Any]) -> Any:
    """A value as the reference returns it (number, nested list, tuple, expression string,
    option id or ids) -> the comparable value. Floats count by their shortest decimal repr, so
    that a boundary value given to 3 decimals is inside a tolerance of 5e-4."""
    if kind == "numeric":
        return _number(value)
    if kind == "array":
        if isinstance(value, str):
            return mp.parse_array(value)
        if not isinstance(value, list) or not value:
            raise ValueError("an array answer must be a non-empty list (or nested list)")
        if isinstance(value[0], list):
            width = len(value[0])
            if width == 0 or any(not isinstance(r, list) or len(r) != width for r in value):
                raise ValueError("the rows of the expected matrix differ in length")
            entries = tuple(_number(v) for r in value for v in r)
            return mp.Array((len(value), width), entries)
        return mp.Array((len(value),), tuple(_number(v) for v in value))
    if kind == "shape":
        if isinstance(value, str):
            return mp.parse_shape(value)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value):
            raise ValueError("a shape answer must be a tuple of non-negative ints")
        return tuple(value)
    if kind == "symbolic":
        if not isinstance(value, str):
            value = str(value)
        return mp.parse_expression(value, names_for(meta))
    if kind in CHOICE_TYPES:
        ids = [value] if isinstance(value, str) else list(value)
        known = {i for _, i in meta["options"]}
        for i in ids:
            if i not in known:
                raise ValueError(f"option id {i!r} is not among the choices")
        return sorted(ids)
    raise ValueError(f"unknown answer type {kind!r}")


def _frac(value: Any) -> Fraction:
    return Fraction(repr(float(value))) if isinstance(value, float) else Fraction(value)


def close(a: Any, r: Any, meta: dict[str, Any]) -> bool:
    """|a - r| <= max(atol, rtol*|r|), exactly, with Fractions: the tolerance is relative to the
    expected value's own size, and atol, the exercise's absolute floor (default 0), is the least
    it can be. Irrational values are known to 50 significant digits: when the gap between them
    is no more than rounding may leave, whether they are equal is decided exactly or at rising
    precision (graders.math.zero); on a tolerance's boundary they get 1e-40 of relative slack."""
    rtol, atol = _frac(meta.get("rtol", 0.0)), _frac(meta.get("atol", 0.0))
    A, R = a.fraction(), r.fraction()
    gap, tol = abs(A - R), max(atol, rtol * abs(R))
    if a.exact and r.exact:
        return gap <= tol
    residue = RESIDUE * max(1, abs(A), abs(R))
    if gap > residue or tol >= 2 * residue:
        return gap <= tol + SLACK * max(abs(A), abs(R))
    zero, _ = decide_zero(a.expr - r.expr)
    if zero is None:
        return gap <= tol + SLACK * max(abs(A), abs(R))
    # Nonzero: the gap, below the digits known, may still be inside a tiny tolerance, never 0.
    return zero or (tol > 0 and gap <= tol)


def same(kind: str, got: Any, want: Any, meta: dict[str, Any], quick: bool = False) -> bool:
    if kind == "numeric":
        return close(got, want, meta)
    if kind == "array":
        got = _as_shape_of(got, want)
        return got.shape == want.shape and all(
            close(a, r, meta) for a, r in zip(got.entries, want.entries, strict=True)
        )
    if kind == "shape":
        return tuple(got) == tuple(want)
    if kind == "symbolic":
        return equivalent(got, want, simplify_seconds=0.0 if quick else SIMPLIFY_SECONDS)[0]
    return sorted(got) == sorted(want)


def _as_shape_of(got: Any, want: Any) -> Any:
    """A vector typed as one row or one column counts as the vector (and back)."""
    if got.shape == want.shape:
        return got
    row_or_column = len(got.shape) == 2 and 1 in got.shape
    if len(want.shape) == 1 and row_or_column and len(got.entries) == want.shape[0]:
        return mp.Array(want.shape, got.entries)
    vector_wanted = len(want.shape) == 2 and 1 in want.shape
    if len(got.shape) == 1 and vector_wanted and len(got.entries) == math.prod(want.shape):
        return mp.Array(want.shape, got.entries)
    return got


# -- symbolic equivalence --------------------------------------------------------------------


def _points(symbols: list[Any], count: int) -> list[dict[Any, Any]]:
    """Deterministic points in [-3, 3] with 12-digit rational coordinates (not near 0)."""
    rng = random.Random(20240611)
    points = []
    for _ in range(count):
        point = {}
        for s in symbols:
            value = 0.0
            while abs(value) < 0.05:
                value = rng.uniform(-3.0, 3.0)
            point[s] = mpmath.mpf(round(value * 10**12)) / 10**12
        points.append(point)
    return points


def _values(expr: Any, points: list[dict[Any, Any]]) -> list[Any]:
    out = []
    for point in points:
        try:
            out.append(mp.evaluate(expr, point))
        except (mp.EvalError, ZeroDivisionError, ValueError, OverflowError):
            out.append(None)
    return out


def _agree(u: Any, v: Any) -> bool:
    """u and v agree to AGREE, relatively: 1e-40 x is not 2e-40 x, however small both are."""
    return abs(u - v) <= max(abs(u), abs(v)) * mpmath.mpf(AGREE.numerator) / AGREE.denominator


def _agree_at(a: Any, b: Any, point: dict[Any, Any], u: Any, v: Any) -> bool:
    """Whether a and b, worth u and v at the point, agree there: relatively to AGREE, or because
    the gap between them is a rounding residue (it shrinks as the precision rises: a sum of large
    terms that cancel loses digits, and an equal answer must not be rejected for it)."""
    return _agree(u, v) or numeric_zero(a - b, point) is True


def equivalent(
    a: Any, b: Any, simplify_seconds: float = SIMPLIFY_SECONDS
) -> tuple[bool, str, dict]:
    """(equivalent?, how it was decided, data for hints).

    A constant difference is decided first, exactly or at rising precision (graders.math.zero):
    `sqrt(11 + 6 sqrt(2))` is `3 + sqrt(2)`, and `x + 1e-40` is not `x`. Otherwise a and b are
    equivalent when simplify(a - b) is 0, or when they agree at POINTS random points to 35
    digits, relatively (mpmath, 60 digits of working precision), and simplify, given
    SIMPLIFY_SECONDS, has not found a nonzero difference. simplify misses true identities and can
    run for minutes; agreement at many random points does not."""
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    data: dict[str, Any] = {
        "extra": sorted(s.name for s in a.free_symbols - b.free_symbols),
        "variables": bool(symbols),
    }
    # One deadline for the exact steps, so that a hostile constant cannot use up its budget
    # twice (before and after simplify) and reach the sandbox's hard limit.
    deadline = time.monotonic() + simplify_seconds + EXACT_SECONDS
    difference = a - b
    if difference == 0:
        return True, "identical", data
    if not difference.free_symbols:
        zero, how = decide_zero(difference, EXACT_SECONDS)
        if zero is not None:
            data["constant"] = not zero
            if not symbols:
                data["pairs"] = _values_of_constants(a, b)
            return zero, how if zero else "constant difference", data
    with mpmath.workdps(POINT_DIGITS):
        points = _points(symbols, POINTS)
        va, vb = _values(a, points), _values(b, points)  # the evaluator knows sigma
        pairs = [
            (point, u, v)
            for point, u, v in zip(points, va, vb, strict=True)
            if u is not None and v is not None
        ]
        data["pairs"] = [(u, v) for _, u, v in pairs]
        if any(not _agree_at(a, b, point, u, v) for point, u, v in pairs):
            return False, "points", data
    usable = len(pairs) >= MIN_POINTS
    # simplify knows exp, not sigma: rewrite it for the symbolic steps only
    ea = a.replace(mp.sigma, lambda u: 1 / (1 + sympy.exp(-u)))
    eb = b.replace(mp.sigma, lambda u: 1 / (1 + sympy.exp(-u)))
    try:
        simple = _simplify_difference(ea - eb, simplify_seconds)
    except Timeout:
        return (True, "points", data) if usable else (False, "undecided", data)
    except Exception:  # SymPy may fail on odd input: the points still decide
        return (True, "points", data) if usable else (False, "undecided", data)
    if simple == 0:
        return True, "simplify", data
    if not simple.free_symbols:
        # A constant that is in fact 0 (a radical simplify did not denest) is no difference.
        zero, _ = decide_zero(simple, deadline - time.monotonic())
        if zero is True:
            return True, "simplify", data
        if zero is False:
            data["constant"] = True
            return False, "constant difference", data
    return (True, "points", data) if usable else (False, "undecided", data)


def _values_of_constants(a: Any, b: Any) -> list[tuple[Any, Any]]:
    """[(a, b)] at 60 digits, for the hints on two constants; [] if either cannot be computed."""
    with mpmath.workdps(POINT_DIGITS):
        try:
            return [(mp.evaluate(a), mp.evaluate(b))]
        except (mp.EvalError, ZeroDivisionError, ValueError, OverflowError):
            return []


def _simplify_difference(difference: Any, seconds: float) -> Any:
    """Try to bring the difference to 0 or a constant within `seconds`: first the cheap
    rewrite of every function into exponentials and a rational normal form (it settles the
    sigma/tanh/exp identities), then sympy.simplify. Timeout if nothing came back in time."""
    deadline = time.monotonic() + seconds
    result = None
    steps = (lambda e: sympy.cancel(sympy.together(e.rewrite(sympy.exp))), sympy.simplify)
    for step in steps:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            result = with_budget(left, step, difference)
        except Timeout:
            break
        except Exception:  # SymPy may fail on odd input; try the next step
            continue
        if result == 0 or not result.free_symbols:
            return result
    if result is None:
        raise Timeout
    return result


# -- the decision ----------------------------------------------------------------------------


def _sentence(exc: Exception) -> str:
    text = str(exc).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def understood(kind: str, value: Any, meta: dict[str, Any]) -> str:
    if kind == "numeric":
        return mp.format_number(value)
    if kind == "array":
        return mp.format_array(value)
    if kind == "shape":
        return mp.format_shape(value)
    if kind == "symbolic":
        return mp.format_expression(value)
    return ", ".join(value)


def decide(request: dict[str, Any]) -> dict[str, Any]:
    """The verdict data for one typed answer (see the module docstring)."""
    share_exact_time(EXACT_SECONDS)
    try:
        return _decide(request)
    finally:
        share_exact_time(None)


def _decide(request: dict[str, Any]) -> dict[str, Any]:
    kind = request["type"]
    meta = request
    try:
        if request.get("expected_text") is not None:
            want = parse_answer(kind, request["expected_text"], meta)
            if kind in CHOICE_TYPES:
                want = [dict(meta["options"])[letter] for letter in want]
        else:
            want = as_expected(kind, request["expected"], meta)
    except (ValueError, KeyError, TypeError) as exc:
        return {"status": "error", "message": f"the expected answer cannot be read: {exc}"}
    try:
        got = parse_answer(kind, request["answer"], meta)
    except mp.ParseError as exc:
        return {"status": "invalid", "message": _sentence(exc)}
    shown = understood(kind, got, meta)
    if kind in CHOICE_TYPES:
        return _decide_choice(kind, got, want, meta, shown)
    details: dict[str, Any] = {}
    if kind == "symbolic":
        ok, how, data = equivalent(got, want)
        details["decided_by"] = how
        if how == "undecided":
            return {
                "status": "invalid",
                "message": "Your expression could not be checked (it cannot be evaluated at "
                "enough points, and simplifying it did not settle it). Write it in another form.",
                "understood": shown,
            }
    else:
        ok = same(kind, got, want, meta)
        data = {}
    if ok:
        return {
            "status": "accepted",
            "message": "Correct.",
            "understood": shown,
            "details": details,
        }
    hint = _declared_hint(kind, got, meta)
    message, generic, more = _explain(kind, got, want, meta, data)
    details.update(more)
    return {
        "status": "rejected",
        "message": message,
        "hint": hint or generic,
        "understood": shown,
        "details": details,
    }


def _declared_hint(kind: str, got: Any, meta: dict[str, Any]) -> str | None:
    for mistake in meta.get("mistakes", []):
        try:
            if "value" in mistake:
                value = as_expected(kind, mistake["value"], meta)
            elif "text" in mistake:
                value = parse_answer(kind, mistake["text"], meta)
            else:
                continue
        except ValueError:
            continue
        if same(kind, got, value, meta, quick=True):
            return mistake["hint"]
    return None


def _decide_choice(kind: str, got: list[str], want: list[str], meta: dict, shown: str) -> dict:
    ids = dict(meta["options"])
    chosen = [ids[letter] for letter in got]
    if sorted(chosen) == sorted(want):
        return {"status": "accepted", "message": "Correct.", "understood": shown}
    wrong = [i for i in chosen if i not in want]
    missing = [i for i in want if i not in chosen]
    hint = None
    for mistake in meta.get("mistakes", []):
        if mistake.get("choice") in wrong or mistake.get("missing") in missing:
            hint = mistake["hint"]
            break
    if kind == "choice":
        message = "That option is not the right one."
    else:
        parts = []
        if wrong:
            parts.append(f"{_count(len(wrong), 'of your choices is', 'of your choices are')} wrong")
        if missing:
            parts.append(
                f"{_count(len(missing), 'correct option is', 'correct options are')} missing"
            )
        message = ("; ".join(parts) + ".").capitalize()
    return {"status": "rejected", "message": message, "hint": hint, "understood": shown}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one}" if n == 1 else f"{n} {many}"


def _explain(
    kind: str, got: Any, want: Any, meta: dict, data: dict
) -> tuple[str, str | None, dict]:
    if kind == "numeric":
        return "This is not the expected value.", _numeric_hint(got, want, meta), {}
    if kind == "array":
        return _array_explain(got, want, meta)
    if kind == "shape":
        return _shape_explain(tuple(got), tuple(want))
    return "This expression is not equivalent to the expected one.", _symbolic_hint(data), {}


def _numeric_hint(got: Any, want: Any, meta: dict) -> str | None:
    A, R = got.fraction(), want.fraction()
    if R != 0 and close(mp.Number(-got.expr), want, meta):
        return "The sign is flipped."
    if R != 0 and A != 0:
        for k in FACTORS:
            if close(mp.Number(got.expr / k), want, meta):
                return f"Your value is {k} times too large."
            if close(mp.Number(got.expr * k), want, meta):
                return f"Your value is {k} times too small."
    if R.denominator == 1 and (A - R) in (1, -1):
        return "Off by one."
    rtol, atol = _frac(meta.get("rtol", 0.0)), _frac(meta.get("atol", 0.0))
    tol = max(atol, rtol * abs(R))
    if tol and abs(A - R) <= 20 * tol:
        return (
            "Close, but not within the tolerance: keep more digits (do not round intermediate "
            "results)."
        )
    return None


def _where(index: tuple[int, ...], vector: bool) -> str:
    if vector:
        return f"entry {index[0] + 1}"
    return f"row {index[0] + 1} column {index[1] + 1}"


def _dims(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"a vector of {shape[0]} entries"
    return f"a {shape[0]}×{shape[1]} matrix ({shape[0]} rows, {shape[1]} columns)"


def _array_explain(got: Any, want: Any, meta: dict) -> tuple[str, str | None, dict]:
    got = _as_shape_of(got, want)
    if got.shape != want.shape:
        hint = None
        if len(got.shape) == 2 and got.shape == want.shape[::-1]:
            transposed = mp.Array(
                want.shape,
                tuple(got.at((j, i)) for i in range(want.shape[0]) for j in range(want.shape[1])),
            )
            if same("array", transposed, want, meta):
                hint = "Your matrix is the transpose of the expected one."
            else:
                hint = "Rows and columns are swapped (and some values differ too)."
        message = f"Expected {_dims(want.shape)}; your answer is {_dims(got.shape)}."
        return message, hint, {"expected_shape": list(want.shape), "shape": list(got.shape)}
    vector = len(want.shape) == 1
    indices = [(i,) if vector else divmod(i, want.shape[1]) for i in range(len(want.entries))]
    wrong = [
        idx
        for idx, a, r in zip(indices, got.entries, want.entries, strict=True)
        if not close(a, r, meta)
    ]
    listed = ("; " if not vector else ", ").join(
        _where(tuple(i), vector) for i in wrong[:MAX_LISTED]
    )
    more = f" and {len(wrong) - MAX_LISTED} more" if len(wrong) > MAX_LISTED else ""
    if len(wrong) == len(want.entries) and len(wrong) > 1:
        message = f"All {len(wrong)} entries are wrong."
    elif len(wrong) > 1:
        message = f"{len(wrong)} of {len(want.entries)} entries are wrong: {listed}{more}."
    else:
        message = f"1 of {len(want.entries)} entries is wrong: {listed}."
    hint = None
    negated = mp.Array(got.shape, tuple(mp.Number(-a.expr) for a in got.entries))
    if same("array", negated, want, meta):
        hint = "Every sign is flipped."
    elif len(want.shape) == 2 and want.shape[0] == want.shape[1]:
        transposed = mp.Array(
            want.shape,
            tuple(got.at((j, i)) for i in range(want.shape[0]) for j in range(want.shape[1])),
        )
        if same("array", transposed, want, meta):
            hint = "Your matrix is the transpose of the expected one."
    if hint is None and len(wrong) == len(want.entries):
        for k in FACTORS:
            scaled = mp.Array(got.shape, tuple(mp.Number(a.expr / k) for a in got.entries))
            if same("array", scaled, want, meta):
                hint = f"Every entry is {k} times too large."
                break
            scaled = mp.Array(got.shape, tuple(mp.Number(a.expr * k) for a in got.entries))
            if same("array", scaled, want, meta):
                hint = f"Every entry is {k} times too small."
                break
    if hint is None:
        rtol, atol = _frac(meta.get("rtol", 0.0)), _frac(meta.get("atol", 0.0))
        near = True
        for index in wrong:
            a, r = got.at(tuple(index)).fraction(), want.at(tuple(index)).fraction()
            tol = max(atol, rtol * abs(r))
            near = near and bool(tol) and abs(a - r) <= 20 * tol
        if near:
            hint = (
                "Close, but not within the tolerance: keep more digits (do not round "
                "intermediate results)."
            )
    return message, hint, {"wrong_entries": [list(map(int, i)) for i in wrong]}


def _shape_explain(got: tuple[int, ...], want: tuple[int, ...]) -> tuple[str, str | None, dict]:
    if len(got) != len(want):
        message = f"Expected {len(want)} sizes (one per dimension); your answer has {len(got)}."
        hint = None
        if len(got) == len(want) + 1 and got[1:] == want:
            hint = "There is one dimension too many at the front."
        elif len(got) + 1 == len(want) and want[1:] == got:
            hint = "The first dimension is missing."
        return message, hint, {}
    wrong = [i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w]
    listed = ", ".join(str(i + 1) for i in wrong)
    message = (
        f"Size {listed} of {len(want)} is wrong."
        if len(wrong) == 1
        else f"Sizes {listed} of {len(want)} are wrong."
    )
    hint = None
    if sorted(got) == sorted(want):
        hint = "The sizes are right but in the wrong order."
        if got == want[::-1]:
            hint = "The sizes are in reverse order (transposed)."
    elif all(got[i] == want[i] - 1 for i in wrong):
        hint = (
            "Each wrong size is 1 too small: is a +1 missing (output size = ⌊(H + 2P − K)/S⌋ + 1)?"
        )
    elif all(got[i] == want[i] + 1 for i in wrong):
        hint = "Each wrong size is 1 too large: a +1 too many?"
    return message, hint, {"wrong_sizes": [i + 1 for i in wrong]}


def _symbolic_hint(data: dict) -> str | None:
    if data.get("extra"):
        return f"Your answer depends on {', '.join(data['extra'])}; the expected one does not."
    if not data.get("variables", True):
        return _constant_hint(data.get("pairs", []))
    if data.get("constant"):
        return "Your answer differs from the expected one by a constant."
    pairs = [(u, v) for u, v in data.get("pairs", []) if v != 0]
    if len(pairs) < MIN_POINTS:
        return None
    with mpmath.workdps(POINT_DIGITS):
        ratios = [u / v for u, v in pairs]
        if all(_agree(r, ratios[0]) for r in ratios):
            ratio = ratios[0]
            if _agree(ratio, mpmath.mpf(-1)):
                return "The sign is flipped."
            if ratio != 0 and isinstance(ratio, mpmath.mpf):
                shown = _simple_number(ratio)
                return (
                    f"Your answer is the expected one times a constant ({shown}): is a factor "
                    "missing (from the chain rule?) or extra?"
                )
        diffs = [u - v for u, v in data.get("pairs", [])]
        if diffs and all(_agree(d, diffs[0]) for d in diffs):
            return "Your answer differs from the expected one by a constant."
    return None


def _constant_hint(pairs: list[tuple[Any, Any]]) -> str | None:
    """Two constants differ: any two different numbers differ "by a constant", so say only what
    is certain, a flipped sign or a factor of FACTORS."""
    if not pairs or pairs[0][1] == 0 or pairs[0][0] == 0:
        return None
    u, v = pairs[0]
    with mpmath.workdps(POINT_DIGITS):
        ratio = u / v
        if _agree(ratio, mpmath.mpf(-1)):
            return "The sign is flipped."
        for k in FACTORS:
            if _agree(ratio, mpmath.mpf(k)):
                return f"Your value is {k} times too large."
            if _agree(ratio * k, mpmath.mpf(1)):
                return f"Your value is {k} times too small."
    return None


def _simple_number(value: Any) -> str:
    frac = Fraction(float(value)).limit_denominator(50)
    if abs(float(frac) - float(value)) < 1e-9 * max(1.0, abs(float(value))):
        return str(frac)
    return f"{float(value):.6g}"


def check(request_json: str) -> str:
    """Sandbox entry point: the verdict data for one answer, as JSON."""
    try:
        result = decide(json.loads(request_json))
    except RecursionError:
        result = {"status": "invalid", "message": "Your answer is nested too deeply."}
    return _capped(result)


def _capped(result: dict[str, Any]) -> str:
    """The result as JSON, within the sandbox protocol's string cap (20,000 characters)."""
    for key, limit in (("message", 2000), ("hint", 1000), ("understood", 2000)):
        if isinstance(result.get(key), str) and len(result[key]) > limit:
            result[key] = result[key][: limit - 3] + "..."
    text = json.dumps(result, default=str)
    if len(text) > 19_000:
        result["details"] = {}
        text = json.dumps(result, default=str)
    return text


# -- warm-up -----------------------------------------------------------------------------------


def warm_up() -> None:
    """Decide a few answers of each type once, so that SymPy's lazy imports and caches are filled.

    The "sympy" zygote calls this once, before any fork (graders/sandbox/zygote.py): each child
    then decides a symbolic answer in tens of milliseconds instead of hundreds.
    """
    base = {"rtol": 1e-6, "atol": 1e-9, "variables": [], "options": [], "mistakes": []}
    for kind, answer, expected in (
        ("symbolic", "sigma(x)(1 - sigma(x))", "exp(-x)/(1 + exp(-x))^2"),
        ("symbolic", "3 sigma(3x - 2)(1 - sigma(3x-2))", "3/4 (1 - tanh((3x - 2)/2)^2)"),
        ("symbolic", "sin(x)^2 + cos(x)^2 + sqrt(2)/2 * log(x^2) + abs(x)", "1"),
        ("symbolic", "2 sigma(x)", "sigma(x)"),
        ("symbolic", "sqrt(11 + 6 sqrt(2))", "3 + sqrt(2)"),  # minimal_polynomial's imports
        ("symbolic", "log(6)", "log(2) + log(3)"),
        ("numeric", "sqrt(2)/2", "0.7071"),
        ("array", "[[1, 2], [3, 4]]", "1 3; 2 4"),
        ("shape", "(2, 3)", "2x3"),
    ):
        decide(dict(base, type=kind, answer=answer, expected_text=expected))

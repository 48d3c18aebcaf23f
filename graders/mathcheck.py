"""Deciding math answers, and drawing math instances: the code that runs in the "sympy" sandbox.

The trusted side (graders.mathgrade) sends this file's *source* as a sandbox job with one of two
entry points, so that every answer is decided in a child that the zygote kills at a hard time
limit, whatever the answer:

- `check(request_json)`: parse the student's typed answer (graders.mathparse, preloaded in the
  zygote), compare it with the expected answer, recognise declared and common mistakes; returns
  the verdict data as JSON (status accepted / rejected / invalid, message, hint, understood).
- `instance(meta_json, reference_source, solutions_json)`: draw an instance's parameters from
  the seed (exercise.toml [params], or reference.py's `params(rng)`), compute the reference's
  `answer(**params)` and each declared mistake's value, redraw while a mistake equals the answer
  (an instance that cannot tell a mistake from the answer is degenerate), and produce the typed
  text of the exercise's solutions/*.py for this instance.

The module imports only the standard library at import time; SymPy, mpmath and NumPy are
imported inside the functions that need them. So the trusted side can use the pure helpers here
(templates, formatting typed answers) without loading SymPy.
"""

from __future__ import annotations

import json
import math
import re
import signal
from fractions import Fraction
from typing import Any

CHOICE_TYPES = ("choice", "multi_choice")
MAX_DRAWS = 200
POINTS = 24  # random points at which two expressions must agree
MIN_POINTS = 8  # fewer usable points than this: only simplify decides
POINT_DIGITS = 60  # working precision of the points, in decimal digits
AGREE = Fraction(1, 10**35)  # relative agreement at a point
SIMPLIFY_SECONDS = 2.0
MAX_LISTED = 6  # wrong entries named in the feedback
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FACTORS = (2, 3, 4, 8, 10, 100, 1000, 1024)

# -- templates (pure: used by the trusted side and in the child) -------------------------------

PLACEHOLDER = re.compile(
    r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<arg>[A-Za-z0-9_-]+))?\s*"
    r"(?:\|\s*(?P<filter>[a-z]+)\s*)?\}\}"
)
FILTERS = ("list", "matrix", "row", "col", "signed", "abs")


def fmt_number(value: Any) -> str:
    """A parameter or an expected number as people write it: 3, -2, 0.25, 1.5e-05."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def fmt_list(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(fmt_list(v) for v in value) + "]"
    return fmt_number(value)


def fmt_matrix(value: Any, column: bool = False) -> str:
    """LaTeX bmatrix (inside $...$); a 1-D list is a row, or a column with column=True."""
    if value and isinstance(value[0], list | tuple):
        rows = [" & ".join(fmt_number(v) for v in row) for row in value]
    elif column:
        rows = [fmt_number(v) for v in value]
    else:
        rows = [" & ".join(fmt_number(v) for v in value)]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def fmt_param(value: Any, filt: str | None) -> str:
    if filt == "signed" and isinstance(value, int | float):
        return f"- {fmt_number(-value)}" if value < 0 else f"+ {fmt_number(value)}"
    if filt == "abs" and isinstance(value, int | float):
        return fmt_number(abs(value))
    if filt == "list" or (filt is None and isinstance(value, list | tuple) and not _is_2d(value)):
        return fmt_list(value)
    if filt in ("matrix", "row", "col") or isinstance(value, list | tuple):
        return fmt_matrix(value, column=filt in ("col", "matrix"))
    return fmt_number(value)


def _is_2d(value: Any) -> bool:
    return bool(value) and isinstance(value[0], list | tuple)


def fill(
    template: str,
    params: dict[str, Any],
    letters: dict[str, str] | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[str, list[str]]:
    """Replace {{P}}, {{P|filter}}, {{choice:ID}} (the letter of option ID) and `extra` names.

    Returns the text and the placeholders that could not be filled (left as they are)."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, arg, filt = match.group("name"), match.group("arg"), match.group("filter")
        if name == "choice" and arg is not None and letters is not None and arg in letters:
            return letters[arg]
        if arg is None and extra is not None and name in extra and filt is None:
            return extra[name]
        if arg is None and name in params and (filt is None or filt in FILTERS):
            return fmt_param(params[name], filt)
        unknown.append(match.group(0))
        return match.group(0)

    return PLACEHOLDER.sub(replace, template), unknown


def typed(kind: str, value: Any, letters: dict[str, str] | None = None) -> str:
    """The expected answer (as the reference returns it) as a student would type it."""
    if kind in CHOICE_TYPES:
        ids = [value] if isinstance(value, str) else list(value)
        return ", ".join(sorted((letters or {}).get(i, i) for i in ids))
    if kind == "shape":
        sizes = [int(v) for v in value]
        return "(" + ", ".join(map(str, sizes)) + ("," if len(sizes) == 1 else "") + ")"
    if kind == "array":
        return fmt_list(value)
    return fmt_number(value)


def shuffled_options(choices: dict[str, str], seed: int, shuffle: bool = True) -> list[str]:
    """Option ids in the order this instance shows them (deterministic in the seed)."""
    import random

    ids = list(choices)
    if shuffle:
        random.Random(f"choices:{seed}").shuffle(ids)
    return ids


# -- drawing parameters (child) ------------------------------------------------------------


def _plain(value: Any, depth: int = 0) -> Any:
    """NumPy scalars and arrays, tuples -> JSON-able Python values; anything else is refused."""
    if depth > 6:
        raise ValueError("value nested too deeply")
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not finite: {value}")
        return value
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return _plain(tolist(), depth + 1)
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if hasattr(value, "__float__") and hasattr(value, "__index__"):
        return int(value)
    if hasattr(value, "__float__"):
        return _plain(float(value), depth + 1)
    raise ValueError(f"cannot use a value of type {type(value).__name__}")


def _draw_one(rng: Any, name: str, decl: Any) -> Any:
    if isinstance(decl, list):
        return int(rng.integers(decl[0], decl[1] + 1))
    if "choices" in decl:
        options = decl["choices"]
        return options[int(rng.integers(len(options)))]
    exclude = decl.get("exclude", [])
    if "matrix" in decl:
        low, high = decl.get("range", [-3, 3])
        for _ in range(1000):
            m = rng.integers(low, high + 1, size=tuple(decl["matrix"]))
            flat = m.ravel().tolist()
            if any(v in exclude for v in flat) or len(set(flat)) == 1:
                continue
            if decl.get("not_symmetric") and (m == m[::-1, ::-1]).all():
                continue
            return m.tolist()
        raise ValueError(f"params.{name}: no matrix fits its constraints in 1000 draws")
    low, high = decl["range"]
    for _ in range(1000):
        if isinstance(low, int) and isinstance(high, int):
            value = int(rng.integers(low, high + 1))
        else:
            value = round(float(rng.uniform(low, high)), int(decl.get("decimals", 2)))
        if value not in exclude:
            return value
    raise ValueError(f"params.{name}: every value of the range is excluded")


def _int_scalar(decl: Any) -> bool:
    if isinstance(decl, list):
        return True
    if "choices" in decl:
        return all(isinstance(v, int) for v in decl["choices"])
    if "range" in decl and "matrix" not in decl:
        return all(isinstance(v, int) for v in decl["range"])
    return False


def draw_params(rng: Any, decls: dict[str, Any], distinct: Any) -> dict[str, Any] | None:
    """One draw from the declared ranges; None if it breaks distinctness (draw again)."""
    values = {name: _draw_one(rng, name, decl) for name, decl in decls.items()}
    groups = distinct
    if groups is None:
        groups = [[n for n, d in decls.items() if _int_scalar(d)]]
    for group in groups:
        drawn = [values[n] for n in group]
        if len(set(drawn)) != len(drawn):
            return None
    return values


def make_instance(
    meta: dict[str, Any], reference: str, solutions: dict[str, str]
) -> dict[str, Any]:
    """Draw a non-degenerate instance and compute everything that depends on it."""
    import copy

    import numpy as np

    ns: dict[str, Any] = {"__name__": "reference"}
    exec(compile(reference, "reference.py", "exec"), ns)  # instructor code, in the sandbox
    answer = ns.get("answer")
    if not callable(answer):
        return {"error": "reference.py must define answer(**params) returning the expected answer"}
    custom = ns.get("params")
    accept = ns.get("accept")
    kind = meta["type"]
    rng = np.random.default_rng(int(meta["seed"]))
    for draw in range(1, MAX_DRAWS + 1):
        if callable(custom):
            params = custom(rng)
            if not isinstance(params, dict):
                return {"error": "reference.py: params(rng) must return a dict"}
        elif meta.get("params"):
            params = draw_params(rng, meta["params"], meta.get("distinct"))
            if params is None:
                continue
        else:
            params = {}
        params = {str(k): _plain(v) for k, v in params.items()}
        if callable(accept) and not accept(**copy.deepcopy(params)):
            continue
        expected = _plain(answer(**copy.deepcopy(params)))
        mistakes: list[dict[str, Any]] = []
        for index, mistake in enumerate(meta.get("mistakes", [])):
            if "function" in mistake:
                func = ns.get(mistake["function"])
                if not callable(func):
                    return {"error": f"reference.py has no function {mistake['function']}()"}
                value = _plain(func(**copy.deepcopy(params)))
                if value is not None:
                    mistakes.append({"index": index, "value": value})
            elif "answer" in mistake:
                text, _ = fill(mistake["answer"], params)
                mistakes.append({"index": index, "text": text})
        if kind not in CHOICE_TYPES and _degenerate(kind, expected, mistakes, meta):
            continue
        texts: dict[str, Any] = {}
        for name, source in solutions.items():
            try:
                sns: dict[str, Any] = {"__name__": "solution"}
                exec(compile(source, name, "exec"), sns)
                texts[name] = {"text": str(sns["answer"](**copy.deepcopy(params)))}
            except Exception as exc:
                texts[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        return {
            "params": params,
            "expected": expected,
            "mistakes": mistakes,
            "solutions": texts,
            "draws": draw,
        }
    return {
        "error": f"no usable instance in {MAX_DRAWS} draws: every draw was degenerate (a declared "
        "mistake gave the expected answer) or broke distinctness or accept(); widen [params]"
    }


def _degenerate(kind: str, expected: Any, mistakes: list[dict[str, Any]], meta: dict) -> bool:
    """A draw is degenerate when a declared mistake gives the expected answer (the mistake
    would pass), or when two mistakes give the same answer (the hint would be ambiguous)."""
    seen = [as_expected(kind, expected, meta)]
    for mistake in mistakes:
        if "value" in mistake:
            other = as_expected(kind, mistake["value"], meta)
        else:
            try:
                other = parse_answer(kind, mistake["text"], meta)
            except ValueError:
                continue
        if any(same(kind, other, earlier, meta, quick=True) for earlier in seen):
            return True
        seen.append(other)
    return False


def instance(meta_json: str, reference: str, solutions_json: str) -> str:
    """Sandbox entry point: the instance for meta["seed"], as JSON."""
    try:
        result = make_instance(json.loads(meta_json), reference, json.loads(solutions_json))
    except Exception as exc:
        import traceback

        trace = "".join(traceback.format_exception(exc))[-1500:]
        result = {"error": f"reference.py failed: {type(exc).__name__}: {exc}\n{trace}"}
    return json.dumps(result)


# -- answers: parsing and comparing (child) --------------------------------------------------


def _mp() -> Any:
    from graders import mathparse

    return mathparse


def names_for(meta: dict[str, Any]) -> Any:
    mp = _mp()
    variables = meta.get("variables") or list(mp.DEFAULT_VARIABLES)
    return mp.Names(tuple(variables))


def parse_answer(kind: str, text: str, meta: dict[str, Any]) -> Any:
    """The student's text -> a comparable value; mathparse.ParseError (a ValueError) if not."""
    mp = _mp()
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
    mp = _mp()
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        import sympy

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
    mp = _mp()
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
    """|a - r| <= max(atol, rtol*|r|), exactly, with Fractions. Irrational values are known to
    50 digits, so they get 1e-40 of relative slack on top."""
    rtol, atol = _frac(meta.get("rtol", 0.0)), _frac(meta.get("atol", 0.0))
    A, R = a.fraction(), r.fraction()
    tol = max(atol, rtol * abs(R))
    if not (a.exact and r.exact):
        tol += Fraction(1, 10**40) * max(abs(A), abs(R))
    return abs(A - R) <= tol


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
    mp = _mp()
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


class _Timeout(BaseException):
    """SIGALRM during simplify; a BaseException so that SymPy's `except Exception` lets it by."""


def _with_budget(seconds: float, func: Any, *args: Any) -> Any:
    """func(*args), or _Timeout after `seconds` (SIGALRM; only where signals can be used)."""
    if seconds <= 0:
        raise _Timeout
    import threading

    if threading.current_thread() is not threading.main_thread():
        return func(*args)

    def ring(signum: int, frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return func(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _points(symbols: list[Any], count: int) -> list[dict[Any, Any]]:
    """Deterministic points in [-3, 3] with 12-digit rational coordinates (not near 0)."""
    import random

    import mpmath

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
    mp = _mp()
    out = []
    for point in points:
        try:
            out.append(mp.evaluate(expr, point))
        except (mp.EvalError, ZeroDivisionError, ValueError, OverflowError):
            out.append(None)
    return out


def _agree(u: Any, v: Any) -> bool:
    import mpmath

    scale = max(mpmath.mpf(1), abs(u), abs(v))
    return abs(u - v) <= scale * mpmath.mpf(AGREE.numerator) / AGREE.denominator


def equivalent(
    a: Any, b: Any, simplify_seconds: float = SIMPLIFY_SECONDS
) -> tuple[bool, str, dict]:
    """(equivalent?, how it was decided, data for hints).

    Equivalent when simplify(a - b) is 0, or when a and b agree at POINTS random points to 35
    digits (mpmath, 60 digits of working precision) and simplify, given SIMPLIFY_SECONDS, has
    not found a nonzero difference. simplify misses true identities and can run for minutes;
    agreement at many random points does not, and a nonzero constant difference, however tiny,
    is a difference."""
    import mpmath
    import sympy

    mp = _mp()
    difference = a - b
    if difference == 0:
        return True, "identical", {}
    if difference.is_Number:
        return False, "constant difference", {"constant": True}
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    data: dict[str, Any] = {"extra": sorted(s.name for s in a.free_symbols - b.free_symbols)}
    with mpmath.workdps(POINT_DIGITS):
        points = _points(symbols, POINTS)
        va, vb = _values(a, points), _values(b, points)  # the evaluator knows sigma
        pairs = [(u, v) for u, v in zip(va, vb, strict=True) if u is not None and v is not None]
        data["pairs"] = pairs
        if any(not _agree(u, v) for u, v in pairs):
            return False, "points", data
    usable = len(pairs) >= MIN_POINTS
    # simplify knows exp, not sigma: rewrite it for the symbolic steps only
    ea = a.replace(mp.sigma, lambda u: 1 / (1 + sympy.exp(-u)))
    eb = b.replace(mp.sigma, lambda u: 1 / (1 + sympy.exp(-u)))
    try:
        simple = _simplify_difference(ea - eb, simplify_seconds)
    except _Timeout:
        return (True, "points", data) if usable else (False, "undecided", data)
    except Exception:  # SymPy may fail on odd input: the points still decide
        return (True, "points", data) if usable else (False, "undecided", data)
    if simple == 0:
        return True, "simplify", data
    if not simple.free_symbols:
        with mpmath.workdps(POINT_DIGITS):
            try:
                value = mp.evaluate(simple)
            except mp.EvalError:
                value = None
        if value is not None and value != 0:
            data["constant"] = True
            return False, "constant difference", data
    return (True, "points", data) if usable else (False, "undecided", data)


def _simplify_difference(difference: Any, seconds: float) -> Any:
    """Try to bring the difference to 0 or a constant within `seconds`: first the cheap
    rewrite of every function into exponentials and a rational normal form (it settles the
    sigma/tanh/exp identities), then sympy.simplify. _Timeout if nothing came back in time."""
    import time

    import sympy

    deadline = time.monotonic() + seconds
    result = None
    steps = (lambda e: sympy.cancel(sympy.together(e.rewrite(sympy.exp))), sympy.simplify)
    for step in steps:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            result = _with_budget(left, step, difference)
        except _Timeout:
            break
        except Exception:  # SymPy may fail on odd input; try the next step
            continue
        if result == 0 or not result.free_symbols:
            return result
    if result is None:
        raise _Timeout
    return result


# -- the decision ----------------------------------------------------------------------------


def _sentence(exc: Exception) -> str:
    text = str(exc).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def understood(kind: str, value: Any, meta: dict[str, Any]) -> str:
    mp = _mp()
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
    mp = _mp()
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
    mp = _mp()
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
    mp = _mp()
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
    import mpmath

    if data.get("extra"):
        return f"Your answer depends on {', '.join(data['extra'])}; the expected one does not."
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

"""Comparing one returned value with the expected one, in stages, with feedback that teaches.

Stages, stopping at the first failure: returns -> type -> shape -> finite -> values. The
student's output is never broadcast; hidden expected arrays are never shown whole.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graders.protocol import Arr, Other, Scalar

RTOL, ATOL = 1e-5, 1e-8
RTOL32, ATOL32 = 1e-4, 1e-5
MAX_BAD_SHOWN = 5
# A visible case's values in its report (`value_preview`): arrays of at most 2 axes of at most
# this many entries each are shown whole; larger ones by shape, min, max and mean.
MAX_SHOWN_SIDE = 6
MAX_SHOWN_ITEMS = 8  # values of a tuple (or list) shown, and nesting of tuples at most 2 deep
MAX_SHOWN_TEXT = 80  # characters of anything shown as text


@dataclass
class Outcome:
    passed: bool
    stage: str
    message: str
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # The hint names a known-wrong solution, or a mistake the output shows for certain (an
    # exact complement, outputs in another order): it beats a mutant's hint on this case.
    known_hint: bool = False
    # The hint names a constant factor: its label without the value ("N", "1/sqrt(d)", "2"),
    # for graders.judge to keep it only when every case that shows a constant ratio agrees.
    factor: str | None = None


@dataclass(frozen=True)
class Context:
    """What the comparison may know about the case: its dims (for naming factors), visibility,
    the framework, and known-wrong outputs (name -> (value, message))."""

    dims: dict[str, int] = field(default_factory=dict)
    visible: bool = False
    framework: str = "numpy"
    known_wrong: dict[str, tuple[Any, str]] = field(default_factory=dict)


def describe_type(value: Any) -> str:
    if isinstance(value, Arr):
        base = "torch.Tensor" if value.kind == "tensor" else "numpy.ndarray"
        if value.subclass:
            base = f"{value.subclass} (a subclass of numpy.ndarray)"
        return f"{base} of shape {tuple(value.array.shape)} and dtype {value.array.dtype}"
    if isinstance(value, Scalar):
        return {"float": "float", "int": "int", "bool": "bool"}.get(
            value.kind, f"numpy.{value.kind}"
        )
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} values"
    if isinstance(value, list):
        return f"a list of {len(value)} values"
    if value is None:
        return "None"
    if isinstance(value, Other):
        return value.type_name
    return type(value).__name__


def value_preview(value: Any, depth: int = 0) -> dict[str, Any]:
    """A value of a *visible* case as its report shows it, bounded in size: an array of at most
    MAX_SHOWN_SIDE × MAX_SHOWN_SIDE whole, a larger one by its shape, min, max and mean; a
    scalar; a tuple by its first items. Never called for a hidden case (graders/judge.py): its
    inputs and expected values stay in the worker (graders/hidden.py).

    Numbers are plain JSON numbers; NaN and ±Inf become the strings "nan", "inf" and "-inf"
    (JSON has no such numbers, and the database column must store the report).
    """
    if isinstance(value, Arr):
        arr = value.array
        shown: dict[str, Any] = {
            "kind": "tensor" if value.kind == "tensor" else "array",
            "dtype": str(arr.dtype),
            "shape": [int(d) for d in arr.shape],
        }
        if arr.ndim <= 2 and all(d <= MAX_SHOWN_SIDE for d in arr.shape):
            shown["values"] = _json_numbers(arr.tolist())
        else:
            shown.update(_array_summary(arr))
        return shown
    if isinstance(value, Scalar):
        return {"kind": "scalar", "dtype": value.kind, "value": _json_number(value.value)}
    if isinstance(value, bool | int | float):
        return {"kind": "scalar", "dtype": type(value).__name__, "value": _json_number(value)}
    if isinstance(value, tuple | list) and depth < 2:
        return {
            "kind": "tuple" if isinstance(value, tuple) else "list",
            "length": len(value),
            "items": [value_preview(item, depth + 1) for item in value[:MAX_SHOWN_ITEMS]],
        }
    if value is None:
        return {"kind": "none"}
    return {"kind": "other", "type": describe_type(value)[:MAX_SHOWN_TEXT]}


def _json_number(value: Any) -> float | int | bool | str:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _json_numbers(values: Any) -> Any:
    if isinstance(values, list):
        return [_json_numbers(v) for v in values]
    return _json_number(values)


def _array_summary(arr: np.ndarray) -> dict[str, Any]:
    """min, max and mean of the finite entries (None when there are none), and how many are
    NaN or infinite: a summary that a single NaN does not turn into NaN. Computed in chunks, so
    that a student's huge output costs no float64 copy of itself."""
    flat = arr.reshape(-1)
    low, high, total, count, nan, inf = math.inf, -math.inf, 0.0, 0, 0, 0
    for start in range(0, flat.size, _SUMMARY_CHUNK):
        chunk = flat[start : start + _SUMMARY_CHUNK].astype(np.float64)
        finite = np.isfinite(chunk)
        nan += int(np.isnan(chunk).sum())
        inf += int(np.isinf(chunk).sum())
        kept = chunk[finite]
        if kept.size:
            low, high = min(low, float(kept.min())), max(high, float(kept.max()))
            total += float(kept.sum())
            count += int(kept.size)
    summary: dict[str, Any] = {"min": None, "max": None, "mean": None}
    if count:
        summary.update(
            min=_json_number(low), max=_json_number(high), mean=_json_number(total / count)
        )
    if nan or inf:
        summary["nan_count"], summary["inf_count"] = nan, inf
    return summary


_SUMMARY_CHUNK = 1 << 20  # entries converted to float64 at a time (8 MiB)


def compare(expected: Any, got: Any, names: list[str], ctx: Context) -> Outcome:
    if got is None and expected is not None:
        return Outcome(False, "returns", "returned None: did you forget the `return` statement?")
    if isinstance(expected, tuple):
        warnings = []
        if isinstance(got, list):
            warnings.append(
                "returned a list; the interface asks for a tuple (it was accepted as one)"
            )
            got = tuple(got)
        if not isinstance(got, tuple):
            wanted = ", ".join(names) if len(names) == len(expected) else f"{len(expected)} values"
            return Outcome(False, "type", f"expected a tuple ({wanted}), got {describe_type(got)}")
        if len(got) != len(expected):
            wanted = ", ".join(names) if len(names) == len(expected) else ""
            return Outcome(
                False, "type", f"returned {len(got)} values, expected {len(expected)} ({wanted})"
            )
        for i, (exp_i, got_i) in enumerate(zip(expected, got, strict=True)):
            name = names[i] if i < len(names) else f"value {i + 1}"
            wrong_i = {
                k: (v[i] if isinstance(v, tuple) and len(v) > i else None, m)
                for k, (v, m) in ctx.known_wrong.items()
            }
            sub = compare_one(
                exp_i, got_i, name, Context(ctx.dims, ctx.visible, ctx.framework, wrong_i)
            )
            sub.warnings = warnings + sub.warnings
            if not sub.passed:
                sub.details["output"] = name
                _name_the_order(expected, got, names, i, sub, ctx)
                return sub
            warnings = sub.warnings
        return Outcome(True, "values", "all outputs match", warnings=warnings)
    return compare_one(expected, got, names[0] if names else "output", ctx)


def compare_one(expected: Any, got: Any, name: str, ctx: Context) -> Outcome:
    if isinstance(expected, tuple):  # a nested tuple, e.g. (loss, (dW1, dW2), (db1, db2))
        sub = compare(expected, got, [f"{name}[{i}]" for i in range(len(expected))], ctx)
        if not sub.passed and "output" not in sub.details:
            sub.details["output"] = name
        return sub
    if isinstance(expected, Scalar):
        outcome = _compare_scalar(expected, got, name, ctx.dims)
    elif isinstance(expected, Arr):
        outcome = _compare_array(expected, got, name, ctx)
    else:
        outcome = None
    if outcome is not None:
        if not outcome.passed and outcome.stage in ("shape", "finite", "values"):
            # A known student mistake explains the output better than any generic pattern.
            known = _known_wrong_hint(expected, got, name, ctx)
            if known is not None:
                outcome.hint, outcome.known_hint, outcome.factor = known, True, None
        return outcome
    # Anything else (ints, None...) must be equal.
    if got == expected:
        return Outcome(True, "values", f"{name} matches")
    return Outcome(False, "values", f"{name}: expected {expected!r}, got {describe_type(got)}")


def _compare_scalar(expected: Scalar, got: Any, name: str, dims: dict[str, int]) -> Outcome:
    if isinstance(got, Arr) and got.array.shape == () and got.kind == "ndarray":
        got = Scalar(got.array.item(), got.array.dtype.name)
    if not isinstance(got, Scalar) or got.kind == "bool":
        return Outcome(
            False, "type", f"{name}: expected a number (a Python float), got {describe_type(got)}"
        )
    value = float(got.value)
    if not math.isfinite(value):
        return Outcome(
            False,
            "finite",
            f"{name} is {value}: look for exp() overflowing or log(0)",
            hint="NaN/Inf usually come from exp() of large values (subtract the maximum first) "
            "or from log(0)",
        )
    exp = float(expected.value)
    if abs(value - exp) <= ATOL + RTOL * abs(exp):
        return Outcome(True, "values", f"{name} matches")
    details = {"abs_error": abs(value - exp), "rel_error": abs(value - exp) / max(abs(exp), 1e-300)}
    hint, factor = None, None
    if exp != 0 and abs(value + exp) <= ATOL + RTOL * abs(exp):
        hint = "the sign is flipped"
    elif exp != 0 and value != 0:
        hint, factor = _factor_hint(value / exp, dims)
    message = f"{name} is off: relative error {details['rel_error']:.3g}"
    return Outcome(False, "values", message, hint, details, factor=factor)


def _compare_array(expected: Arr, got: Any, name: str, ctx: Context) -> Outcome:
    exp = expected.array
    want_kind = "torch.Tensor" if ctx.framework == "torch" else "numpy.ndarray"
    if not isinstance(got, Arr):
        extra = ""
        if isinstance(got, list | tuple):
            extra = " (convert with np.array(...) or stack the pieces)"
        return Outcome(
            False,
            "type",
            f"{name}: expected a {want_kind} of shape {exp.shape}, got {describe_type(got)}{extra}",
        )
    if got.subclass:
        return Outcome(
            False, "type", f"{name}: returned {describe_type(got)}; return a plain numpy.ndarray"
        )
    if (ctx.framework == "torch") != (got.kind == "tensor"):
        return Outcome(False, "type", f"{name}: expected a {want_kind}, got {describe_type(got)}")
    arr = got.array
    warnings: list[str] = []
    rtol, atol = RTOL, ATOL
    if exp.dtype.kind == "f":
        if arr.dtype == np.float32:
            rtol, atol = RTOL32, ATOL32
            warnings.append(
                f"{name} is float32: compared with the looser tolerance rtol={RTOL32}, atol={ATOL32}; "
                "keep float64 to be exact"
            )
        elif arr.dtype.kind == "b" or arr.dtype == np.float16:
            return Outcome(
                False, "type", f"{name}: dtype {arr.dtype} cannot hold the result; use float64"
            )
    elif exp.dtype != arr.dtype and not (exp.dtype.kind in "iu" and arr.dtype.kind in "iu"):
        return Outcome(False, "type", f"{name}: expected dtype {exp.dtype}, got {arr.dtype}")

    if arr.size == 0 and exp.size != 0 and not ctx.visible:
        # An empty array's dimensions cost no memory, so they can be any numbers: for a hidden
        # case they could spell out its inputs (graders/hidden.py), and they teach nothing.
        return Outcome(
            False,
            "shape",
            f"{name}: expected shape {exp.shape}, got an empty array",
            EMPTY_AXIS_HINT,
            details={"expected_shape": list(exp.shape)},
            warnings=warnings,
        )
    details: dict[str, Any] = {"expected_shape": list(exp.shape), "got_shape": list(arr.shape)}
    if arr.shape != exp.shape:
        hint = _shape_hint(exp, arr)
        return Outcome(
            False,
            "shape",
            f"{name}: expected shape {exp.shape}, got {arr.shape}",
            hint,
            details,
            warnings,
        )
    if arr.dtype.kind == "f":
        nan, inf = np.isnan(arr), np.isinf(arr)
        if (nan & ~np.isnan(exp)).any() or (inf & ~np.isinf(exp)).any():
            details["nan_count"] = int(nan.sum())
            details["inf_count"] = int(inf.sum())
            details["first_nonfinite"] = [
                list(map(int, i)) for i in np.argwhere(nan | inf)[:MAX_BAD_SHOWN]
            ]
            parts = []
            if nan.any():
                parts.append(f"NaN at {int(nan.sum())} of {arr.size} positions")
            if inf.any():
                parts.append(f"Inf at {int(inf.sum())} of {arr.size} positions")
            hint = (
                "NaN/Inf usually come from exp() overflowing (subtract the maximum first) or "
                "dividing by 0"
            )
            if arr.dtype == np.float32:
                hint += FLOAT32_OVERFLOW
            return Outcome(
                False,
                "finite",
                f"{name} contains {' and '.join(parts)}, first at {tuple(details['first_nonfinite'][0])}",
                hint,
                details,
                warnings,
            )
    a = arr.astype(np.float64)
    e = exp.astype(np.float64)
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return Outcome(True, "values", f"{name} matches (shape {exp.shape})", warnings=warnings)
    diff = np.abs(a - e)
    bad = np.argwhere(~close)
    details.update(
        max_abs_error=float(np.nanmax(diff)),
        max_rel_error=float(np.nanmax(diff / np.maximum(np.abs(e), 1e-300))),
        share_wrong=float((~close).mean()),
        wrong_count=int((~close).sum()),
        first_wrong=[list(map(int, i)) for i in bad[:MAX_BAD_SHOWN]],
    )
    if ctx.visible:
        details["first_wrong_values"] = [
            {"index": list(map(int, i)), "expected": float(e[tuple(i)]), "got": float(a[tuple(i)])}
            for i in bad[:MAX_BAD_SHOWN]
        ]
        if e.ndim <= 2 and e.size <= 400:
            details["wrong_mask"] = (~close).astype(int).tolist()
    message = (
        f"{name}: {details['wrong_count']} of {e.size} values are wrong "
        f"({100 * details['share_wrong']:.0f}%), max abs error {details['max_abs_error']:.3g}, "
        f"first at {tuple(details['first_wrong'][0])}"
    )
    swapped = _complement_hint(exp, arr)
    if swapped is not None:
        hint, definite = swapped
        # An exact complement is certain, unlike a mutant's likeness: it keeps its hint.
        return Outcome(False, "values", message, hint, details, warnings, known_hint=definite)
    hint, factor = _value_hint(e, a, rtol, atol, ctx)
    if hint is None and factor is None and arr.dtype == np.float32:
        hint = _float32_hint(e, a)
    return Outcome(False, "values", message, hint, details, warnings, factor=factor)


EMPTY_AXIS_HINT = (
    "an axis of your result has length 0: an empty slice? x[a:-a] is empty when a = 0 "
    "(-0 is 0); write the end as a + size, or x.shape[i] - a"
)


TRANSPOSED_HINT = (
    "your result is the transpose of the expected one (transposed: last two axes swapped)"
)


def _shape_hint(exp: np.ndarray, arr: np.ndarray) -> str | None:
    if 0 in arr.shape and 0 not in exp.shape and arr.ndim == exp.ndim:
        return EMPTY_AXIS_HINT
    if exp.ndim >= 2 and arr.shape == (*exp.shape[:-2], exp.shape[-1], exp.shape[-2]):
        if np.allclose(np.swapaxes(arr, -1, -2), exp, rtol=RTOL32, atol=ATOL32):
            return TRANSPOSED_HINT
        return "the last two axes are swapped: check the order of the dimensions (transposed shape)"
    if tuple(d for d in arr.shape if d != 1) == tuple(d for d in exp.shape if d != 1):
        return "a dimension of size 1 is missing or extra (keepdims? [:, None]?)"
    if arr.size == exp.size:
        return "right number of elements, wrong shape: check reshape/transposes and axis order"
    if exp.ndim == arr.ndim + 1 or exp.ndim + 1 == arr.ndim:
        return "one axis too many or too few: was a sum/mean taken over the wrong axis?"
    return None


# -- conventions: an output right but for an agreed meaning (docs/architecture.md#hints) ---------

# Where float32 runs out (its largest value is about 3.4e38 = exp(88.7)); float64's is exp(709.8).
FLOAT32_OVERFLOW = "; your output is float32, where exp() overflows above 88 already (float64: 709)"
# Float32 keeps about 7 significant digits: a computation that loses k of them (scores in the
# thousands subtracted from their maximum lose about 3) is off by about 10^(k-7) of its
# largest value. An error at most this share of the largest expected value is what float32
# rounding gives; a wrong formula is off by more. A constant ratio (which _value_hint looks for
# first) is at least 1e-3 away from 1: off by more than this share at the largest value.
FLOAT32_ROUNDING = 1e-3
MAX_REORDERED = 6  # outputs of a tuple searched for another order (6! = 720 orders)

SWAPPED_BOOL = (
    "True and False are swapped: your output is exactly the complement (~) of the expected "
    "one. Check what True must mean in the statement (for a mask: may attend, or blocked?)"
)
SWAPPED_01 = (
    "0 and 1 are swapped: your output is exactly 1 minus the expected one. Check which of the "
    "two values the statement gives to what (for a mask: kept, or blocked?)"
)


def _complement_hint(exp: np.ndarray, arr: np.ndarray) -> tuple[str, bool] | None:
    """A boolean output that is the exact complement of the expected one, or a 0/1 output that
    is exactly 1 minus it, and whether that names the mistake for certain. An expected output
    that is all True (or all False) says less: all False is also what an unfinished function
    returns, so the hint asks about both."""
    if exp.size < 2 or exp.shape != arr.shape:
        return None
    if exp.dtype.kind == "b" and arr.dtype.kind == "b":
        if not np.array_equal(arr, ~exp):
            return None
        if exp.all() or not exp.any():
            want, got = ("True", "False") if exp.all() else ("False", "True")
            return (
                f"your output is all {got}, the opposite of the expected all {want}: is the "
                "function finished? If it is, True and False are swapped: check what True must "
                "mean in the statement (for a mask: may attend, or blocked?)",
                False,
            )
        return SWAPPED_BOOL, True
    if exp.dtype.kind in "iuf" and arr.dtype.kind in "iuf":
        # Both values present: an expected output of only 0s (or only 1s) is no mask.
        ones = exp == 1
        if not (ones | (exp == 0)).all() or ones.all() or not ones.any():
            return None
        if np.array_equal(arr == 1, ~ones) and np.array_equal(arr == 0, ones):
            return SWAPPED_01, True
    return None


def _float32_hint(e: np.ndarray, a: np.ndarray) -> str | None:
    """Why a float32 output is off, when its errors are of the size float32 rounding gives
    (FLOAT32_ROUNDING); None when they are larger: then float32 is not what the evidence
    names. Called only when no other pattern explains the output."""
    finite = np.isfinite(e) & np.isfinite(a)
    if not finite.any():
        return None
    scale = float(np.max(np.abs(e[finite])))
    error = float(np.max(np.abs(a[finite] - e[finite])))
    if scale == 0 or error > FLOAT32_ROUNDING * scale:
        return None
    return (
        "your output is float32, computed with about 7 significant digits, and this case needs "
        f"more: errors this small (at most {error / scale:.1g} of the largest value) are float32 "
        "rounding, not a wrong formula. Compute in float64 (keep the inputs' dtype)"
    )


def _name_the_order(
    expected: tuple[Any, ...],
    got: tuple[Any, ...],
    names: list[str],
    failed: int,
    sub: Outcome,
    ctx: Context,
) -> None:
    """When the returned tuple holds the expected outputs in another order, say so in `sub`
    (the failure of output `failed`) rather than compare an output with another one's value:
    with every value right, the order is the only mistake (a certain hint); with wrong values
    too, a misplaced output's shape is named after the output it belongs to, in place of a
    guess about its axes. Nothing is said when no other order fits the shapes."""
    n = len(expected)
    if n < 2 or n > MAX_REORDERED or sub.known_hint:  # an exercise's own message wins
        return
    labels = [names[i] if i < len(names) else f"value {i + 1}" for i in range(n)]
    want, have = [_layout(v) for v in expected], [_layout(v) for v in got]
    orders = [
        order
        for order in itertools.permutations(range(n))
        if order != tuple(range(n)) and all(have[i] == want[order[i]] for i in range(n))
    ]
    if not orders:
        return
    plain = Context(ctx.dims, False, ctx.framework)
    fits: dict[tuple[int, int], bool] = {}

    def fit(i: int, j: int) -> bool:
        if (i, j) not in fits:
            fits[(i, j)] = compare_one(expected[j], got[i], labels[j], plain).passed
        return fits[(i, j)]

    wanted = ", ".join(labels)
    for order in orders:
        if all(fit(i, order[i]) for i in range(n)):
            returned = [labels[j] for j in order]
            sub.message = (
                f"your outputs are in another order: you returned ({', '.join(returned)}), "
                f"the expected order is ({wanted})"
            )
            sub.hint = (
                f"every value is right but in the wrong place: return {wanted}, in this order"
            )
            sub.known_hint, sub.factor = True, None
            sub.details["returned_order"] = returned
            return
    # A shape hint that the values bear out (a transpose, an empty axis) stays; guesses go.
    if sub.stage == "shape" and sub.hint not in (TRANSPOSED_HINT, EMPTY_AXIS_HINT):
        # Any fitting order names a same-shaped output: "the shape of" is true of each.
        other = labels[orders[0][failed]]
        sub.hint = (
            f"{labels[failed]} has the shape of {other}: are your outputs in another order? "
            f"Return {wanted}, in this order"
        )
        sub.known_hint, sub.factor = False, None


def _layout(value: Any) -> Any:
    """What a value's place in a tuple can be told by: an array's shape (a number's is ()),
    a tuple's items' layouts, else its type."""
    if isinstance(value, Arr):
        return ("array", tuple(value.array.shape))
    if isinstance(value, Scalar):
        return ("array", ())
    if isinstance(value, tuple | list):
        return ("tuple", tuple(_layout(v) for v in value))
    return ("other", type(value).__name__)


def _known_wrong_hint(expected: Any, got: Any, name: str, ctx: Context) -> str | None:
    """The message of a known-wrong solution whose output the student's is, on a case where
    that solution is wrong: where it gives the expected output, it names nothing (a student
    off by 3e-5 is not told "p[:, y] -= 1 subtracts 1 in every row")."""
    for wrong, message in ctx.known_wrong.values():
        if wrong is None:
            continue
        plain = Context(ctx.dims, False, ctx.framework)
        if compare_one(expected, wrong, name, plain).passed:
            continue
        # An output that is NaN everywhere is that of many mistakes; one with NaN in some rows
        # and the known-wrong's numbers elsewhere is that one's.
        if _some_finite(got) and _same_output(got, wrong):
            return message
    return None


def telling(got: Any, expected: Any) -> bool:
    """Whether a wrong output can tell mistakes apart: it has a wrong shape, or a finite value
    that is wrong. An output wrong only by its NaN or Inf (an overflowing exp, a 0/0) is wrong
    the same way for many mistakes, and names none of them."""
    if isinstance(got, list):
        got = tuple(got)
    if isinstance(got, tuple) and isinstance(expected, tuple):
        return len(got) != len(expected) or any(
            telling(g, e) for g, e in zip(got, expected, strict=True)
        )
    if isinstance(got, Arr) and got.array.shape == () and isinstance(expected, Scalar):
        got = Scalar(got.array.item(), got.array.dtype.name)
    if isinstance(got, Scalar) and isinstance(expected, Scalar):
        a, b = float(got.value), float(expected.value)
        return math.isfinite(a) and math.isfinite(b) and not math.isclose(
            a, b, rel_tol=RTOL32, abs_tol=ATOL32
        )
    if isinstance(got, Arr) and isinstance(expected, Arr):
        a, e = got.array, expected.array
        if a.shape != e.shape:
            return True
        if a.dtype.kind not in "biuf" or e.dtype.kind not in "biuf":
            return False
        a, e = a.astype(np.float64), e.astype(np.float64)
        finite = np.isfinite(a) & np.isfinite(e)
        return bool((finite & ~np.isclose(a, e, RTOL32, ATOL32)).any())
    return False


def _some_finite(value: Any) -> bool:
    if isinstance(value, Arr):
        arr = value.array
        return arr.size == 0 or arr.dtype.kind != "f" or bool(np.isfinite(arr).any())
    if isinstance(value, Scalar):
        return not isinstance(value.value, float) or math.isfinite(value.value)
    return True


def _same_output(got: Any, wrong: Any) -> bool:
    """The student's output is the known-wrong one, at the tolerance the student's output is
    compared with (float32 gets the looser one)."""
    if isinstance(wrong, Arr) and isinstance(got, Arr) and wrong.array.shape == got.array.shape:
        rtol, atol = (RTOL32, ATOL32) if got.array.dtype == np.float32 else (RTOL, ATOL)
        w = wrong.array.astype(np.float64)
        a = got.array.astype(np.float64)
        return bool(np.allclose(a, w, rtol=rtol, atol=atol, equal_nan=True))
    if isinstance(wrong, Scalar) and isinstance(got, Scalar):
        rtol, atol = (RTOL32, ATOL32) if got.kind == "float32" else (RTOL, ATOL)
        w, a = float(wrong.value), float(got.value)
        return math.isclose(a, w, rel_tol=rtol, abs_tol=atol) or (math.isnan(a) and math.isnan(w))
    return False


def _value_hint(
    e: np.ndarray, a: np.ndarray, rtol: float, atol: float, ctx: Context
) -> tuple[str | None, str | None]:
    """A generic pattern of the wrong values, and the label of its factor if it is one."""
    if not np.any(a):
        return "your output is all zeros: is the function finished?", None
    if np.allclose(-a, e, rtol=rtol, atol=atol):
        return "the sign is flipped: check the sign of each term in the derivative", None
    if e.ndim == 2 and e.shape[0] == e.shape[1] and np.allclose(a.T, e, rtol=rtol, atol=atol):
        return "your result is the transpose of the expected one (transposed)", None
    denom = float(np.sum(e * e))
    if denom > 0:
        c = float(np.sum(a * e)) / denom
        if abs(c - 1) > 1e-3 and c != 0 and np.allclose(a, c * e, rtol=max(rtol, 1e-4), atol=atol):
            return _factor_hint(c, ctx.dims)
    return None, None


ARBITRARY_RATIO = "?"  # the factor label of a constant ratio that names nothing


def _factor_hint(c: float, dims: dict[str, int]) -> tuple[str | None, str | None]:
    """A constant ratio got/expected named after the case's dimensions (N, 1/N, sqrt(d),
    pool_h*pool_w...), or 2 or 1/2; with its label without the value ("1/N"). Any other ratio
    names nothing: its label is ARBITRARY_RATIO and there is no hint (2.8 on one case and 5.3
    on another is no factor at all)."""
    if not math.isfinite(c) or c == 0:
        return None, None
    candidates: list[tuple[float, str, str]] = []
    for name, v in dims.items():
        if v > 1:
            candidates += [
                (float(v), f"{name} = {v}", name),
                (1.0 / v, f"1/{name} = 1/{v}", f"1/{name}"),
                (math.sqrt(v), f"sqrt({name}) = {math.sqrt(v):.4g}", f"sqrt({name})"),
                (1.0 / math.sqrt(v), f"1/sqrt({name})", f"1/sqrt({name})"),
            ]
    items = [(n, v) for n, v in dims.items() if v > 1]
    for i, (n1, v1) in enumerate(items):  # e.g. a window's area pool_h*pool_w
        for n2, v2 in items[i + 1 :]:
            candidates += [
                (float(v1 * v2), f"{n1}*{n2} = {v1 * v2}", f"{n1}*{n2}"),
                (1.0 / (v1 * v2), f"1/({n1}*{n2})", f"1/({n1}*{n2})"),
            ]
    # Named dimensions first: "1/N = 1/2" teaches more than "1/2" when N happens to be 2.
    candidates += [(2.0, "2", "2"), (0.5, "1/2", "1/2")]
    for value, shown, label in candidates:
        if abs(c - value) <= 1e-6 * max(1.0, abs(value)):
            hint = f"your result is off by a factor of {shown} (a missing or extra scaling factor)"
            return hint, label
    return None, ARBITRARY_RATIO

"""Is a constant expression zero? Exactly when it is algebraic, else at rising precision.

Two equal constants written differently (`sqrt(11 + 6 sqrt(2))` and `3 + sqrt(2)`) do not
cancel symbolically, and their difference evaluated once at 60 digits is a rounding residue of
about 1e-60, not 0. So a value computed at one precision decides nothing:

- a constant is **nonzero** when its value is stable as the working precision doubles (a
  rounding residue is not: it shrinks with the precision; a real difference, however tiny, stays
  once the precision reaches it, at the EXTRA rung if LADDER was not enough);
- it is **zero** when its value still shrinks at the last rung of LADDER, and, for an algebraic
  constant (rationals, + − × ÷ and rational powers: every nested radical), when its minimal
  polynomial is x, which is exact. A transcendental difference smaller than about 10^-360 of the
  size of its terms is therefore taken for zero;
- otherwise it is **undecided** (None), and the caller decides with what else it knows.

Runs in the "sympy" sandbox's child, where the hard time limit stops anything; minimal_polynomial
(which can run for minutes on a hostile nested radical) also gets its own budget.
"""

from __future__ import annotations

import time
from typing import Any

import mpmath
import sympy

from graders.math import parse as mp
from graders.math.budget import Timeout, with_budget

LADDER = (60, 120, 240, 480)  # working precisions, in decimal digits
EXTRA = (960,)  # only for a value that neither settles nor shrinks by the last rung of LADDER
STABLE_DIGITS = 20  # two successive values this close (relatively): the value is real
EXACT_SECONDS = 1.0  # per decision: all the minimal polynomials of one answer together
_X = sympy.Symbol("x")
_deadline: float | None = None
_decided: dict[Any, tuple[bool, str]] = {}


def share_exact_time(seconds: float | None) -> None:
    """From now on, the minimal polynomials together get `seconds` (None: each call its own),
    and what was decided before is forgotten.

    graders.math.check sets it once per answer: an array of 400 hostile radicals, each compared
    again for the hints (negated, scaled), must not multiply the time past the sandbox's hard
    limit; a constant decided once is therefore remembered for the rest of the answer."""
    global _deadline
    _deadline = None if seconds is None else time.monotonic() + seconds
    _decided.clear()


def decide_zero(expr: Any, seconds: float = EXACT_SECONDS) -> tuple[bool | None, str]:
    """(is expr zero?, how it was decided: "exact" or "high precision"); None when undecided.

    expr must have no free symbols."""
    if expr.free_symbols:
        raise ValueError("decide_zero needs a constant")
    if expr == 0 or expr.is_Rational:
        return expr == 0, "exact"
    key = _without_factor(expr)
    if key in _decided:
        return _decided[key]
    numeric = numeric_zero(key)
    if numeric is False:
        answer: tuple[bool | None, str] = (False, "high precision")
    else:
        exact = exact_zero(key, seconds)
        answer = (exact, "exact") if exact is not None else (numeric, "high precision")
    if answer[0] is not None:
        _decided[key] = (answer[0], answer[1])
    return answer


def _without_factor(expr: Any) -> Any:
    """expr without its rational factor and sign, which do not change whether it is zero: the
    hints compare -a and a/8 with what a was compared with."""
    plain = expr.primitive()[1] if expr.is_Add else expr.as_coeff_Mul()[1]
    return -plain if plain.could_extract_minus_sign() else plain


def numeric_zero(expr: Any, env: dict[Any, Any] | None = None) -> bool | None:
    """False when expr's value (at the point env) is stable from one rung of LADDER to the next;
    True when, from LADDER's last rung on, it is 0 or shrank from the last nonzero value by at
    least half the digits gained; None when neither (after the EXTRA rungs, tried only then),
    or when it cannot be evaluated."""
    seen: list[tuple[int, Any]] = []
    stable = mpmath.mpf(10) ** -STABLE_DIGITS
    for digits in LADDER + EXTRA:
        with mpmath.workdps(digits):
            try:
                value = mp.evaluate(expr, env or {})
            except (mp.EvalError, ZeroDivisionError, ValueError, OverflowError):
                return None
            if seen and value != 0 and abs(value - seen[-1][1]) <= abs(value) * stable:
                return False
        if digits >= LADDER[-1] and _residue(digits, value, seen):
            return True
        seen.append((digits, value))
    return None


def _residue(digits: int, value: Any, seen: list[tuple[int, Any]]) -> bool:
    """Whether value, computed at `digits`, is what rounding leaves of 0: exactly 0 (a residue
    may round to it), or smaller than the last nonzero value by half the digits gained or more
    (a residue loses about as many digits as the precision gained; its size varies a little)."""
    earlier = [(d, v) for d, v in seen if v != 0]
    if value == 0 or not earlier:
        return True
    before_digits, before = earlier[-1]
    with mpmath.workdps(digits):
        return bool(abs(value) <= abs(before) * mpmath.mpf(10) ** -((digits - before_digits) // 2))


def algebraic(expr: Any) -> bool:
    """Built from rationals with + − × ÷ and rational powers only (so minimal_polynomial
    applies); pi, e, functions and imaginary numbers are not."""
    for node in sympy.preorder_traversal(expr):
        if node.is_Rational or node.is_Add or node.is_Mul:
            continue
        if node.is_Pow and node.exp.is_Rational:
            continue
        return False
    return True


def exact_zero(expr: Any, seconds: float = EXACT_SECONDS) -> bool | None:
    """Whether an algebraic constant is zero, from its minimal polynomial (x exactly when it is
    zero); None when it is not algebraic, or the polynomial was not found within `seconds`."""
    if not algebraic(expr):
        return None
    if _deadline is not None:
        seconds = min(seconds, _deadline - time.monotonic())
    try:
        polynomial = with_budget(seconds, sympy.minimal_polynomial, expr, _X)
    except Timeout:
        return None
    except Exception:  # SymPy may fail on odd input (NotAlgebraic, a branch it cannot take)
        return None
    return bool(polynomial == _X)

"""Naming a student's mistake after the mutant whose output theirs is.

On a failed case, a mutant *supports* a hint when the student's output equals the mutant's (at
the case's tolerance) and the mutant's output is wrong there; it is *contradicted* when it is
wrong there too but gives something else than the student. The hint goes to the mutant with the
most supporting cases and no contradiction, once per submission, on its supporting cases only:
never on a case where the named mistake would have passed, never from a coincidence that another
failed case refutes. The text is the exercise's for that mutant or family
(`[mutants.hints]`, docs/exercise-format.md#mutants), else the family's default below: the
reference's own code is never shown.

Everything here is numbers compared on the trusted side: for a hidden case, the student's output
is the redacted run's values (graders/hidden.py), and the hint is the exercise's text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from graders.compare import ATOL, ATOL32, RTOL, RTOL32, telling
from graders.mutation.operators import FAMILIES
from graders.mutation.run import UNFINISHED
from graders.protocol import Arr, Scalar

if TYPE_CHECKING:
    from graders.mutation.generate import Mutant

# One sentence per family, true of every mutant of it: the evidence is that the output is the
# one this mistake gives, so each says what the code "looks" like it does.
DEFAULT_TEXTS: dict[str, str] = {
    "mask-order": "The mask looks applied at the wrong step: the blocked scores must be set to "
    "-inf before the softmax, not the weights zeroed after it.",
    "mask-polarity": "A condition looks inverted (a mask, or an np.where with its two branches "
    "swapped): check which positions are True.",
    "mask-ignored": "The output is what it would be without the mask: it looks never applied.",
    "mask-fill": "The blocked positions look filled with 0 instead of -inf: exp(0) = 1 still "
    "gives them weight.",
    "slice-from-end": "A slice looks written a:-a, which is empty when a = 0 (-0 is 0): write "
    "its end as a + size or shape - a.",
    "axis": "A reduction (a sum, mean, max or softmax) looks taken over the wrong axis.",
    "keepdims": "A reduction looks computed without keepdims=True, so it broadcasts against the "
    "wrong axes.",
    "scale": "A scale factor looks missing or wrong (such as 1/sqrt(d) or 1/N).",
    "transpose": "A transpose (or swapaxes) looks missing.",
    "view-order": "A view (or reshape) looks written with two sizes in the wrong order, which "
    "splits an axis the wrong way: the heads, for example, are (n_heads, d_head), not (d_head, "
    "n_heads).",
    "dimension": "A size looks taken from the wrong dimension (such as a height for a width, or "
    "the stride for the window).",
    "in-place": "An update looks assigned (=) where it must accumulate (+=), or accumulated "
    "with a buffered += that drops repeated indices.",
    "reduction": "A reduction looks like the wrong one (a mean for a sum, or the other way "
    "round).",
    "function": "A function looks swapped for a similar one (sin for cos, tanh for sigmoid, max "
    "for min).",
    "comparison": "A comparison looks off at its boundary or in its direction (< for <=, > for "
    "<).",
    "slice-bound": "A slice bound looks off by one.",
    "range-bound": "A loop's range (or an arange) looks off by one.",
    "sign": "A sign looks flipped (+ for -, or a - b for b - a).",
    "drop-term": "A term looks missing from a sum.",
    "drop-factor": "A factor looks missing from a product or a quotient.",
    "drop-call": "A function looks left out (such as the tanh, exp or sigmoid of a value).",
    "drop-layer": "A layer of the module looks left out: its input goes on as if it were its "
    "output.",
    "variable": "An input looks used in place of another value (another argument, or a value "
    "computed from it).",
    "operator": "A multiplication looks written as a division (or the other way round).",
    "power": "A power looks missing (such as a square).",
    "constant": "A constant of the formula looks wrong.",
    "drop-step": "A step of the computation looks skipped.",
    "flip": "The kernel looks flipped by 180 degrees: a true convolution instead of the "
    "cross-correlation.",
    "dtype": "A result looks computed in float32: keep float64.",
}
assert set(DEFAULT_TEXTS) == set(FAMILIES)


@dataclass(frozen=True)
class MutationHint:
    text: str
    family: str
    mutant: str
    cases: tuple[int, ...]  # indices of the supporting cases


def text_for(mutant: Mutant, texts: Mapping[str, str]) -> str:
    """The exercise's text for this mutant (by id, then by family), else the family's; ""
    silences it."""
    if mutant.id in texts:
        return texts[mutant.id]
    return texts.get(mutant.family, DEFAULT_TEXTS[mutant.family])


def same(student: Any, mutant: Any) -> bool:
    """Whether a student's output is the mutant's, at the tolerance the student's output is
    compared with (float32 gets the looser one, graders/compare.py)."""
    if isinstance(student, list):
        student = tuple(student)
    if student is None or mutant is None:  # an nn.Module's gradient that never came back
        return student is None and mutant is None
    if isinstance(student, tuple) or isinstance(mutant, tuple):
        return (
            isinstance(student, tuple)
            and isinstance(mutant, tuple)
            and len(student) == len(mutant)
            and all(same(s, m) for s, m in zip(student, mutant, strict=True))
        )
    if isinstance(student, Arr) and student.array.shape == () and isinstance(mutant, Scalar):
        student = Scalar(student.array.item(), student.array.dtype.name)
    if isinstance(student, Scalar) and isinstance(mutant, Scalar):
        a, b = float(student.value), float(mutant.value)
        loose = student.kind == "float32"
        rtol, atol = (RTOL32, ATOL32) if loose else (RTOL, ATOL)
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
    if isinstance(student, Arr) and isinstance(mutant, Arr):
        a, b = student.array, mutant.array
        if a.shape != b.shape or a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
            return False
        rtol, atol = (RTOL32, ATOL32) if a.dtype == np.float32 else (RTOL, ATOL)
        return bool(
            np.allclose(a.astype(np.float64), b.astype(np.float64), rtol, atol, equal_nan=True)
        )
    return False


def _all_zero(value: Any) -> bool:
    """An unfinished function's output: a hint about a finished one's mistake would mislead."""
    if isinstance(value, tuple | list):
        return all(_all_zero(v) for v in value)
    if isinstance(value, Arr):
        arr = value.array
        return arr.size > 0 and arr.dtype.kind in "biuf" and not np.any(arr)
    if isinstance(value, Scalar):
        return value.value == 0
    return False


def select(
    student: Mapping[int, tuple[Any, Any]],
    wrong: Mapping[int, Mapping[str, Any]],
    mutants: list[Mutant],
    texts: Mapping[str, str],
) -> MutationHint | None:
    """The hint for a submission, from its outputs on its failed cases (`student`: case index
    -> (output, expected output)) and the mutants' outputs where they are wrong (`wrong`: case
    index -> mutant id -> output); None when no mutant explains it without contradiction."""
    if not student or all(_all_zero(got) for got, _ in student.values()):
        return None
    support: dict[str, list[int]] = {}
    refuted: set[str] = set()
    for index, (got, expected) in student.items():
        evidence = telling(got, expected)
        for mutant_id, value in wrong.get(index, {}).items():
            if value is None or value is UNFINISHED or not same(got, value):
                refuted.add(mutant_id)
            elif evidence:
                support.setdefault(mutant_id, []).append(index)
    rank = {family: i for i, family in enumerate(FAMILIES)}
    best: tuple[tuple[int, int, int, str], MutationHint] | None = None
    for mutant in mutants:
        cases = support.get(mutant.id)
        if not cases or mutant.id in refuted:
            continue
        text = text_for(mutant, texts)
        if not text:
            continue
        key = (-len(cases), rank[mutant.family], len(mutant.sites), mutant.id)
        if best is None or key < best[0]:
            best = (key, MutationHint(text, mutant.family, mutant.id, tuple(sorted(cases))))
    return best[1] if best else None

"""Per-student instances: a seed per (student, exercise, attempt salt), and dims drawn from it.

Everything here is deterministic in the seed so that a stored seed reproduces a verdict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from graders.schema import ExerciseSpec

MAX_DRAWS = 1000
DEFAULT_SEED = 0


def derive_seed(student: str, exercise: str, salt: str = "") -> int:
    """A stable 31-bit seed; the salt changes when a student asks for another instance."""
    digest = hashlib.sha256(f"{student}\0{exercise}\0{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (2**31 - 1)


@dataclass(frozen=True)
class CaseSpec:
    """One concrete case of an exercise: `repeat` in exercise.toml expands to several."""

    index: int
    name: str
    visible: bool
    dims: dict[str, int]  # fixed dims only; the rest is drawn per seed
    options: dict[str, Any]


def expand_cases(spec: ExerciseSpec) -> list[CaseSpec]:
    cases: list[CaseSpec] = []
    for case in spec.cases:
        for k in range(case.repeat):
            name = case.name if case.repeat == 1 else f"{case.name} #{k + 1}"
            cases.append(
                CaseSpec(len(cases), name, case.visible, dict(case.dims), dict(case.options))
            )
    # Visible cases run first: what a student may see is produced before any hidden input exists.
    return sorted(cases, key=lambda c: (not c.visible, c.index))


def case_rng(seed: int, index: int, stream: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, index, stream])


class DrawError(Exception):
    pass


def draw_dims(
    rng: np.random.Generator,
    ranges: dict[str, tuple[int, int]],
    groups: list[list[str]],
    fixed: dict[str, int],
    accept: Callable[[dict[str, int], dict[str, Any]], bool] | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Draw every dim in its range, distinct inside each group, until `accept` agrees.

    Fixed dims are kept as they are (an author's explicit example may repeat a value).
    """
    options = options or {}
    for _ in range(MAX_DRAWS):
        dims = dict(fixed)
        for name, (low, high) in ranges.items():
            if name not in dims:
                dims[name] = int(rng.integers(low, high + 1))
        drawn_ok = all(
            len({dims[n] for n in group}) == len(group)
            for group in groups
            if not set(group) <= set(fixed)
        )
        if drawn_ok and (accept is None or accept(dict(dims), dict(options))):
            return dims
    if set(ranges) <= set(fixed):
        raise DrawError(
            f"the case's fixed dims {fixed} (options {options}) are refused by accept() in cases.py "
            "or repeat a value inside a `distinct` group: change the case's dims"
        )
    raise DrawError(
        f"could not draw distinct dims from {ranges} (groups {groups}) in {MAX_DRAWS} tries: "
        "widen the ranges in [dims], split `distinct` into smaller groups, or relax accept()"
    )

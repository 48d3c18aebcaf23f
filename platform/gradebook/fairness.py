"""Fairness across random instances: is one family of instances significantly harder?

A family, per exercise kind, as simply as is honest:
- math: each declared parameter's value ("n = 3"): the students whose graded instance drew
  that value. A parameter with more than MAX_VALUES values (a continuous draw) is left out:
  one student per family tests nothing.
- code: grouped by nothing. A code exercise's cases vary by seed, but the engine exposes no
  per-seed summary the web could group by without running the reference: no families.

The test, per family, among the students who tried: the share who solved it in the family vs
the rest, one-sided (is the family harder?). A two-proportion z-test, or Fisher's exact test
when an expected count is under 5; significant when p < ALPHA / number of families tested
(Bonferroni). Attempts to solve (median, of those who solved) are shown, not tested.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from catalog.models import Exercise, ExerciseVersion
from catalog.selectors import engine_exercise
from courses.models import Assignment
from courses.selectors import course_exceptions, students_of
from submissions.scores import APPLIED, FIELDS, original_rows, replacing_regrades, result_cells

ALPHA = 0.05
MAX_VALUES = 12
# Instances computed per page view at most (each runs the reference in the sandbox, ~0.1 s);
# the rest on the next views, all cached (a version's instance never changes).
COMPUTE_PER_VIEW = 50
METHOD = (
    "Among the students who tried, the share who solved it in each family against the share in "
    "all other families, one-sided (is this family harder?): a two-proportion z-test, or "
    "Fisher's exact test when an expected count is under 5. A family is flagged when its p-value "
    f"is under {ALPHA} divided by the number of families tested (Bonferroni correction)."
)


@dataclass(frozen=True)
class Outcome:
    """One student's graded instance and how they did on it."""

    families: tuple[tuple[str, str], ...]  # (parameter, value) pairs
    solved: bool
    attempts_to_solve: int | None


@dataclass(frozen=True)
class Family:
    parameter: str
    value: str
    tried: int
    solved: int
    rest_tried: int
    rest_solved: int
    median_attempts: float | None
    p_value: float
    test: str  # "z" or "Fisher"
    flagged: bool

    @property
    def solved_percent(self) -> float:
        return 100 * self.solved / self.tried

    @property
    def rest_percent(self) -> float | None:
        return 100 * self.rest_solved / self.rest_tried if self.rest_tried else None


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def fisher_lower(a: int, n1: int, c: int, n2: int) -> float:
    """P(X <= a) for X the family's solvers under the hypergeometric law (margins fixed)."""
    total, solvers = n1 + n2, a + c
    denominator = math.comb(total, n1)
    low = max(0, solvers - n2)
    return (
        sum(math.comb(solvers, x) * math.comb(total - solvers, n1 - x) for x in range(low, a + 1))
        / denominator
    )


def harder_p_value(solved: int, tried: int, rest_solved: int, rest_tried: int) -> tuple[float, str]:
    """One-sided p-value that the family's solved share is lower than the rest's."""
    pooled = (solved + rest_solved) / (tried + rest_tried)
    expected = (
        tried * pooled,
        tried * (1 - pooled),
        rest_tried * pooled,
        rest_tried * (1 - pooled),
    )
    if min(expected) < 5:
        return fisher_lower(solved, tried, rest_solved, rest_tried), "Fisher"
    spread = math.sqrt(pooled * (1 - pooled) * (1 / tried + 1 / rest_tried))
    z = (solved / tried - rest_solved / rest_tried) / spread
    return _normal_cdf(z), "z"


def families_of(outcomes: Iterable[Outcome], *, alpha: float = ALPHA) -> list[Family]:
    """Every family with students on both sides, tested and flagged (Bonferroni over them)."""
    outcomes = list(outcomes)
    members: defaultdict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        for key in outcome.families:
            members[key].append(outcome)
    values: defaultdict[str, set[str]] = defaultdict(set)
    for parameter, value in members:
        values[parameter].add(value)
    total_tried, total_solved = len(outcomes), sum(o.solved for o in outcomes)
    testable = [
        key
        for key, group in members.items()
        if len(values[key[0]]) <= MAX_VALUES and 0 < len(group) < total_tried
    ]
    found = []
    for parameter, value in sorted(testable):
        group = members[(parameter, value)]
        solved = sum(o.solved for o in group)
        rest_tried, rest_solved = total_tried - len(group), total_solved - solved
        if total_solved in (0, total_tried):  # everyone or no one solved: nothing to compare
            p_value, test = 1.0, "none"
        else:
            p_value, test = harder_p_value(solved, len(group), rest_solved, rest_tried)
        attempts = [o.attempts_to_solve for o in group if o.attempts_to_solve is not None]
        found.append(
            Family(
                parameter=parameter,
                value=value,
                tried=len(group),
                solved=solved,
                rest_tried=rest_tried,
                rest_solved=rest_solved,
                median_attempts=statistics.median(attempts) if attempts else None,
                p_value=p_value,
                test=test,
                flagged=p_value < alpha / len(testable),
            )
        )
    return found


# -- the gradebook's data -------------------------------------------------------------------------


@dataclass
class Fairness:
    kind: str
    families: list[Family]
    students: int  # who tried, with a known instance
    missing: int  # instances still to compute (next view)
    method: str = METHOD


def _key(version: ExerciseVersion, seed: int) -> str:
    return f"gradebook:params:{version.exercise.slug}:{version.version}:{seed}"


def instance_params(version: ExerciseVersion, seed: int) -> dict[str, Any]:
    """The math instance's parameters, computed and cached (a version's instance never
    changes)."""
    key = _key(version, seed)
    found = cache.get(key)
    if found is None:
        from graders.engine import get_grader  # the grader makes the instance, in its sandbox

        try:
            found = dict(get_grader().instance(engine_exercise(version), seed).params)
        except Exception:  # no family for an instance the reference cannot make (not cached:
            return {}  # the sandbox may only be busy; the next view tries again)
        cache.set(key, found, timeout=None)
    return found


def _value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _student_outcomes(
    assignment: Assignment,
    params: Callable[[ExerciseVersion, int], Mapping[str, Any]],
    budget: int,
) -> tuple[dict[int, Outcome], int]:
    """Student id -> their graded instance's families and how they did (the gradebook's cells:
    regrades applied), for the students who tried; and how many instances are still to compute.
    """
    course, ids = assignment.course, [assignment.exercise_id]
    student_ids = set(students_of(course).values_list("pk", flat=True))
    rows = [
        r
        for r in original_rows(course, ids, fields=(*FIELDS, "seed", "version_id"))
        if r["user_id"] in student_ids
    ]
    cells = result_cells(
        assignment,
        rows,
        replacing_regrades(course, ids, APPLIED),
        exceptions=course_exceptions(course, student_ids=student_ids),
    )
    instance: dict[int, tuple[int, int]] = {}
    for row in rows:
        instance.setdefault(row["user_id"], (row["version_id"], row["seed"]))
    versions = ExerciseVersion.objects.select_related("exercise").in_bulk(
        {version for version, _ in instance.values()}
    )
    outcomes, missing = {}, 0
    for user_id, cell in cells.items():
        if cell.attempts == 0 or cell.pending == cell.attempts or user_id not in instance:
            continue
        version_id, seed = instance[user_id]
        values = cache.get(_key(versions[version_id], seed))
        if values is None and budget > 0:
            values, budget = params(versions[version_id], seed), budget - 1
        if values is None:
            missing += 1
            continue
        families = tuple((name, _value(value)) for name, value in sorted(values.items()))
        outcomes[user_id] = Outcome(families, cell.solved, cell.attempts_to_solve)
    return outcomes, missing


def exercise_fairness(
    *,
    assignment: Assignment,
    params: Callable[[ExerciseVersion, int], Mapping[str, Any]] = instance_params,
    budget: int = COMPUTE_PER_VIEW,
) -> Fairness:
    """Families of the students' graded instances (their first graded submission's seed and
    version) and how each did (the gradebook's cells: regrades applied)."""
    exercise = assignment.exercise
    if exercise.kind != Exercise.Kind.MATH:
        return Fairness(kind=exercise.kind, families=[], students=0, missing=0)
    outcomes, missing = _student_outcomes(assignment, params, budget)
    return Fairness(
        kind=exercise.kind,
        families=families_of(outcomes.values()),
        students=len(outcomes),
        missing=missing,
    )


def family_students(
    *,
    assignment: Assignment,
    parameter: str,
    value: str,
    params: Callable[[ExerciseVersion, int], Mapping[str, Any]] = instance_params,
) -> list[int]:
    """The ids of the students whose graded instance is in the family `parameter = value`
    (every instance computed: this is for a regrade, not a page view)."""
    outcomes, _ = _student_outcomes(assignment, params, budget=10**9)
    return sorted(
        user_id for user_id, outcome in outcomes.items() if (parameter, value) in outcome.families
    )

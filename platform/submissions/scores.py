"""A student's score, written once: the gradebook, the CSV, the course home, the exercise page,
the submission page, the history and the API all take it from here.

- A submission's **raw score** is its own score, unless a regrade of it belongs to an *applied*
  RegradeBatch: then it is the score of its regrade in the newest applied batch. A regrade that
  could not be graded (status error) or has not finished never replaces a score; neither does a
  regrade in a batch that is pending or discarded. A batch applied with "never lower a score"
  (`RegradeBatch.never_lower`) replaces a score only where its regrade is not lower than the
  score it would replace: per submission, so no result goes down and every page agrees.
- Its **effective score** = raw score x the late factor at `created_at` under the *student's*
  rules (courses/rules.py: their extension moves their deadline): under the penalty policy,
  `penalty_per_day` percent per started day late on the course's clock (never below 0); under
  the accept and practice-only policies, factor 1. Practice runs and self-test have no
  effective score: they never count.
- **Rubric points** (submissions.models.RubricMark: an instructor's named manual points on one
  submission) are added to the effective score after the late factor, which then stays within
  0..max ("+1 rubric: 'clear variable names'"). They do not make a submission solved.
- A student's **result** on an assignment is the best effective score among their graded,
  counted submissions in that course: mode graded, not a regrade (`regrade_of` null), status
  done, and a verdict that counts (not invalid_answer / internal_error: those are messages,
  not answers). On a tie the earliest submission gives it (it is the least late).
- An instructor's **score override** (courses.models.ScoreOverride, the newest row of the
  (assignment, student) when it sets a score) replaces the result, with its reason ("9/10: set
  by carol on 7 Dec: ..."), whatever the submissions gave or will give, until a newer row
  changes or clears it.
- **Solved** = some counted submission's raw score (after regrades) reaches its max score,
  whatever the late penalty took off: the grading's notion, which an override does not change
  (the worked solution and the practice rules depend on it). In self-test outside any course:
  an accepted practice run on every case (`SOLVED_SELF_TEST`); a visible-only run never solves
  anything.
- **Attempts** = counted graded submissions (`models.COUNTS_AS_TRY`). A queued submission
  already counts: it used up an attempt.
- **Exam mode** (courses.rules.results_withheld): until the assignment's release date, the
  student's own view of their result (`seen_by_student`) holds their attempts and what is
  pending, but no score, reason or solved; instructors' views are unchanged.
- Queued or running submissions are **pending**: a student with nothing graded yet but
  something pending shows "pending", never 0.

Reads are by `values()` in a constant number of queries (the submissions, the applied regrades,
the course's extensions and overrides), aggregated in Python: a gradebook of N students x M
assignments is not N x M queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from courses.models import Assignment, Course, ScoreOverride
from courses.rules import StudentRules, results_withheld, student_rules
from courses.selectors import CourseExceptions, course_exceptions, extensions_for_pairs
from courses.time import deadline_text, zone_of
from graders.report import Verdict
from submissions.models import NOT_COUNTED_VERDICTS, ORIGINAL_GRADED, RubricMark, Submission

PENDING = (Submission.Status.QUEUED, Submission.Status.RUNNING)
# Scores are floats (a late factor of 0.9, partial credit): "reaches the max" allows rounding.
EPSILON = 1e-9

FIELDS = ("id", "user_id", "exercise_id", "status", "verdict", "score", "max_score", "created_at")
_REGRADE_FIELDS = (
    "regrade_of_id",
    "verdict",
    "score",
    "max_score",
    "regrade_batch__applied_at",
    "regrade_batch_id",
    "regrade_batch__never_lower",
    "regrade_of__score",
)

# Self-test outside a course: an accepted practice run on every case of its instance.
SOLVED_SELF_TEST = Q(
    mode=Submission.Mode.PRACTICE,
    visible_only=False,
    regrade_of__isnull=True,
    status=Submission.Status.DONE,
    verdict=Verdict.ACCEPTED.value,
)

APPLIED = Q(regrade_batch__applied_at__isnull=False)

# A submission's rubric points, summed (for original_rows' subquery).
_RUBRIC_TOTAL = (
    RubricMark.objects.filter(submission_id=OuterRef("pk"))
    .order_by()
    .values("submission_id")
    .annotate(total=Sum("item__points"))
    .values("total")
)

Row = dict[str, Any]


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "-") + _number(abs(value))


@dataclass(frozen=True)
class Effective:
    """One graded submission's score as it counts, and why it differs from what it got."""

    score: float | None  # None: not graded (pending, could not be graded, practice)
    max_score: float | None
    raw: float | None  # after an applied regrade, before the late factor
    graded: float | None  # what the grading itself gave
    days_late: int = 0
    penalty_percent: float = 0.0  # of the raw score, taken for lateness
    regraded_at: datetime | None = None  # when the regrade that replaced the score was applied
    # Rubric points given by hand: (name, points) when known, else only their total.
    rubric: tuple[tuple[str, float], ...] = ()
    rubric_points: float = 0.0

    @property
    def reason(self) -> str:
        """Why the score is not what the grading gave, in words ("" when it is)."""
        if self.score is None or self.max_score is None or self.raw is None:
            return ""
        parts = []
        if self.regraded_at is not None:
            day = timezone.localtime(self.regraded_at).strftime("%-d %b")
            parts.append(f"regraded on {day}: {_number(self.raw)}/{_number(self.max_score)}")
        if self.penalty_percent > EPSILON:
            days = f"{self.days_late} day{'' if self.days_late == 1 else 's'}"
            parts.append(
                f"{_number(self.raw)}/{_number(self.max_score)} less "
                f"{_number(self.penalty_percent)}% for {days} late"
            )
        if self.rubric:
            parts.extend(f"{_signed(points)} rubric: '{name}'" for name, points in self.rubric)
        elif abs(self.rubric_points) > EPSILON:
            parts.append(f"{_signed(self.rubric_points)} rubric")
        if not parts:
            return ""
        return f"{_number(self.score)}/{_number(self.max_score)}: " + "; ".join(parts)


def effective(row: Row, rules: StudentRules | None, regrade: Row | None) -> Effective:
    """The effective score of one graded submission (`row`: FIELDS of it), under its student's
    rules of its assignment, with the applied regrade that replaces its score, if any."""
    graded = row["score"] if row["status"] == Submission.Status.DONE else None
    source = regrade if regrade is not None else row
    raw = source["score"] if row["status"] == Submission.Status.DONE else None
    out_of = source["max_score"]
    if out_of is None and rules is not None:
        out_of = rules.assignment.exercise.points
    if raw is None or row["verdict"] in NOT_COUNTED_VERDICTS:
        return Effective(None, out_of, None, graded)
    factor = rules.late_factor(row["created_at"]) if rules is not None else 1.0
    rubric = tuple(row.get("rubric", ()))
    points = sum(p for _, p in rubric) if rubric else row.get("rubric_points") or 0.0
    score = raw * factor
    if points:
        score = max(0.0, score + points)
        score = min(score, out_of) if out_of is not None else score
    return Effective(
        score=score,
        max_score=out_of,
        raw=raw,
        graded=graded,
        days_late=rules.days_late(row["created_at"]) if rules is not None else 0,
        penalty_percent=100 * (1 - factor),
        regraded_at=regrade.get("regrade_batch__applied_at") if regrade is not None else None,
        rubric=rubric,
        rubric_points=points,
    )


@dataclass
class Cell:
    """One student's result on one assignment (see the module docstring for the rules)."""

    assignment: Assignment
    score: float | None = None  # the best effective score; None: nothing graded yet
    raw_score: float | None = None  # that submission's raw score, before the late factor
    max_score: float | None = None
    days_late: int = 0
    attempts: int = 0
    pending: int = 0
    solved: bool = False
    attempts_to_solve: int | None = None  # counted attempts up to the first solving one
    best_submission_id: int | None = None
    best: Effective | None = None  # the effective score of that submission, with its reason
    # The instructor's score, which replaces the grading's (`score` is then its score, and
    # `graded_score` what the submissions gave).
    override: ScoreOverride | None = None
    graded_score: float | None = None
    # The student's own rules of the assignment (their deadline and attempts).
    rules: StudentRules | None = field(default=None, compare=False, repr=False)
    # Exam mode, in the student's own view: when the result opens ("" when shown).
    withheld_until: str = ""

    @property
    def slug(self) -> str:
        return self.assignment.exercise.slug

    @property
    def out_of(self) -> float:
        return self.max_score if self.max_score is not None else self.assignment.exercise.points

    @property
    def is_graded(self) -> bool:
        return self.score is not None

    @property
    def is_overridden(self) -> bool:
        return self.override is not None

    @property
    def reason(self) -> str:
        if self.override is not None and self.score is not None:
            return override_reason(self.override, self.out_of, self.assignment)
        return self.best.reason if self.best is not None else ""


def seen_by_student(cell: Cell, when: datetime | None = None) -> Cell:
    """The cell as its student may see it now: while exam mode withholds the assignment's
    results, only their attempts and what is pending (not even whether they solved it)."""
    if not results_withheld(cell.assignment, when):
        return cell
    return Cell(
        cell.assignment,
        attempts=cell.attempts,
        pending=cell.pending,
        rules=cell.rules,
        withheld_until=deadline_text(cell.assignment.scores_released_at, cell.assignment.course),
    )


def override_reason(override: ScoreOverride, out_of: float, assignment: Assignment) -> str:
    """ "9/10: set by carol on 7 Dec: <reason>" (the date on the course's clock)."""
    assert override.score is not None
    who = override.created_by.username if override.created_by else "an instructor"
    day = override.created_at.astimezone(zone_of(assignment.course))
    return (
        f"{_number(override.score)}/{_number(out_of)}: set by {who} on "
        f"{day.day} {day:%b}: {override.reason}"
    )


def result_cells(
    assignment: Assignment,
    rows: Iterable[Row],
    regrades: dict[int, Row],
    *,
    exceptions: CourseExceptions,
) -> dict[int, Cell]:
    """User id -> Cell, from one exercise's original submissions in chronological order.

    `regrades` maps an original submission's id to the regrade that replaces its score;
    `exceptions` holds the course's extensions (each student's rules) and score overrides.
    """
    cells: dict[int, Cell] = {}

    def cell_of(user_id: int) -> Cell:
        cell = cells.get(user_id)
        if cell is None:
            rules = exceptions.rules(assignment, user_id)
            cell = cells[user_id] = Cell(assignment, rules=rules)
        return cell

    for row in rows:
        cell = cell_of(row["user_id"])
        if row["status"] in PENDING:
            cell.pending += 1
            cell.attempts += 1
            continue
        if row["status"] != Submission.Status.DONE or row["verdict"] in NOT_COUNTED_VERDICTS:
            continue
        cell.attempts += 1
        result = effective(row, cell.rules, regrades.get(row["id"]))
        if result.score is None or result.raw is None:
            continue
        out_of = result.max_score if result.max_score is not None else assignment.exercise.points
        if not cell.solved and result.raw >= out_of - EPSILON:
            cell.solved = True
            cell.attempts_to_solve = cell.attempts
        # Strictly greater, in chronological order: a tie keeps the earlier, less late one.
        if cell.score is None or result.score > cell.score:
            cell.score = result.score
            cell.raw_score = result.raw
            cell.max_score = out_of
            cell.days_late = result.days_late
            cell.best_submission_id = row["id"]
            cell.best = result
    for user_id in exceptions.overridden_students(assignment):
        cell = cell_of(user_id)
        cell.override = exceptions.override(assignment, user_id)
        assert cell.override is not None and cell.override.score is not None
        cell.graded_score = cell.score
        cell.score = cell.override.score
        if cell.max_score is None:
            cell.max_score = assignment.exercise.points
    return cells


def original_rows(
    course: Course,
    exercise_ids: list[int],
    *,
    user_ids: Iterable[int] | None = None,
    fields: tuple[str, ...] = FIELDS,
) -> list[Row]:
    """The course's graded, original (not regrade) submissions, oldest first."""
    qs = Submission.objects.filter(ORIGINAL_GRADED, course=course, exercise_id__in=exercise_ids)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    # The rubric points in the same query (a subquery): a gradebook stays a constant number.
    qs = qs.annotate(rubric_points=Coalesce(Subquery(_RUBRIC_TOTAL), 0.0))
    return list(qs.order_by("created_at", "id").values(*fields, "rubric_points"))


def replacing_regrades(
    course: Course,
    exercise_ids: list[int],
    batches: Q,
    *,
    fields: tuple[str, ...] = (),
    original_ids: Iterable[int] | None = None,
    never_lower: dict[int, bool] | None = None,
) -> dict[int, Row]:
    """Original id -> the finished regrade whose score replaces it, among `batches`.

    Ordered by batch: a newer batch's regrade overwrites an older one's (not a higher score,
    for a never-lower batch; `never_lower`: batch id -> whether it is, for the preview).
    Regrades that could not be graded (status error) or are still pending are not in the
    query at all.
    """
    qs = Submission.objects.filter(
        regrade_batch__course=course,
        exercise_id__in=exercise_ids,
        regrade_of__isnull=False,
        status=Submission.Status.DONE,
        score__isnull=False,
    ).filter(batches)
    if original_ids is not None:
        qs = qs.filter(regrade_of_id__in=list(original_ids))
    rows = qs.order_by("regrade_batch_id", "id").values(*_REGRADE_FIELDS, *fields)
    return _replacing(rows, never_lower or {})


def _replacing(rows: Iterable[Row], never_lower: dict[int, bool] | None = None) -> dict[int, Row]:
    """Original id -> the regrade row that replaces its score, from rows ordered by batch: a
    newer batch's overwrites an older one's, except that a never-lower batch's (as stored, or
    as `never_lower` says by batch id, for a preview) does not replace a higher score."""
    chosen = never_lower or {}
    found: dict[int, Row] = {}
    for row in rows:
        original = row["regrade_of_id"]
        if chosen.get(row["regrade_batch_id"], row["regrade_batch__never_lower"]):
            before = found[original]["score"] if original in found else row["regrade_of__score"]
            if before is not None and row["score"] < before - EPSILON:
                continue
        found[original] = row
    return found


def student_result(*, assignment: Assignment, student: User) -> Cell:
    """One student's cell of the gradebook, by the same rules."""
    course, exercise_ids = assignment.course, [assignment.exercise_id]
    rows = original_rows(course, exercise_ids, user_ids=[student.pk])
    regrades = replacing_regrades(course, exercise_ids, APPLIED)
    exceptions = course_exceptions(course, student_ids=[student.pk])
    found = result_cells(assignment, rows, regrades, exceptions=exceptions).get(student.pk)
    return found or Cell(assignment, rules=exceptions.rules(assignment, student.pk))


def results_for_student(
    *,
    user: User,
    course: Course,
    assignments: list[Assignment],
    exceptions: CourseExceptions | None = None,
) -> dict[int, Cell]:
    """Exercise id -> `user`'s Cell on each of `assignments` (all of one course), each with
    the student's rules, as the student may see it (`seen_by_student`): 4 queries (2 when
    `exceptions`, the user's in this course, are given).
    """
    if exceptions is None:
        exceptions = course_exceptions(course, student_ids=[user.pk])
    exercise_ids = [assignment.exercise_id for assignment in assignments]
    rows = original_rows(course, exercise_ids, user_ids=[user.pk])
    regrades = replacing_regrades(
        course, exercise_ids, APPLIED, original_ids=[r["id"] for r in rows]
    )
    by_exercise: dict[int, list[Row]] = {}
    for row in rows:
        by_exercise.setdefault(row["exercise_id"], []).append(row)
    cells = {}
    for assignment in assignments:
        found = result_cells(
            assignment,
            by_exercise.get(assignment.exercise_id, []),
            regrades,
            exceptions=exceptions,
        ).get(user.pk)
        cells[assignment.exercise_id] = seen_by_student(
            found or Cell(assignment, rules=exceptions.rules(assignment, user.pk))
        )
    return cells


def effective_scores(submissions: Iterable[Submission]) -> dict[int, Effective]:
    """Submission id -> its effective score, for a page or an API list (4 queries at most).

    Practice runs and regrade rows have none of their own (they never count); an original
    graded submission in a course gets the late factor of its student's rules (their extension)
    and its applied regrade.
    """
    graded = [
        s
        for s in submissions
        if s.mode == Submission.Mode.GRADED
        and s.regrade_of_id is None
        and s.status == Submission.Status.DONE  # pending or failed: no score yet, no query
    ]
    if not graded:
        return {}
    pairs = {(s.course_id, s.exercise_id) for s in graded if s.course_id is not None}
    assignments: dict[tuple[int, int], Assignment] = {}
    if pairs:
        query = Q()
        for course_id, exercise_id in pairs:
            query |= Q(course_id=course_id, exercise_id=exercise_id)
        for assignment in Assignment.objects.filter(query).select_related("exercise", "course"):
            assignments[(assignment.course_id, assignment.exercise_id)] = assignment
    extensions = extensions_for_pairs(
        (s.course_id, s.user_id) for s in graded if s.course_id is not None
    )
    regrades = _replacing(
        Submission.objects.filter(
            APPLIED,
            regrade_of_id__in=[s.pk for s in graded],
            status=Submission.Status.DONE,
            score__isnull=False,
        )
        .order_by("regrade_batch_id", "id")
        .values(*_REGRADE_FIELDS)
    )
    rubric: dict[int, list[tuple[str, float]]] = {}
    for mark in (
        RubricMark.objects.filter(submission_id__in=[s.pk for s in graded])
        .order_by("item__name")
        .values("submission_id", "item__name", "item__points")
    ):
        rubric.setdefault(mark["submission_id"], []).append(
            (mark["item__name"], mark["item__points"])
        )
    result = {}
    for submission in graded:
        row = {name: getattr(submission, name) for name in FIELDS}
        row["rubric"] = rubric.get(submission.pk, ())
        assignment = assignments.get((submission.course_id, submission.exercise_id))
        rules = None
        if assignment is not None:
            mine = extensions.get((submission.course_id, submission.user_id), [])
            rules = student_rules(assignment, mine)
        result[submission.pk] = effective(row, rules, regrades.get(submission.pk))
    return result


def with_effective(submissions: Iterable[Submission]) -> list[Submission]:
    """The submissions, each with `.effective` (its Effective, or None): for templates."""
    rows = list(submissions)
    found = effective_scores(rows)
    for submission in rows:
        submission.effective = found.get(submission.pk)  # type: ignore[attr-defined]
    return rows

"""Reads for the gradebook: what each student has earned, and how an exercise went.

The rules below are the product: the gradebook page, the CSV export, the per-exercise
statistics and the regrade preview all compute them here, in one place.

- A student's **result** on an assignment is the best *effective score* among their graded,
  counted submissions in that course: mode graded, not a regrade (`regrade_of` null), status
  done, and a verdict that counts (not invalid_answer / internal_error: those are messages,
  not answers).
- **Effective score** = raw score x the assignment's `late_factor(created_at)`: under the
  penalty policy, `penalty_per_day` percent per started day late (never below 0); under the
  accept and practice-only policies, factor 1.
- The **raw score** is the submission's own score, unless a regrade of it belongs to an
  *applied* RegradeBatch: then it is the score of its regrade in the newest applied batch. A
  regrade that could not be graded (status error) or has not finished never replaces a score;
  neither does a regrade in a batch that is pending or discarded.
- **Solved** = some counted submission's raw score (after regrades) reaches its max score,
  whatever the late penalty took off.
- **Attempts** = `submissions.services.counted_attempts`: graded, not regrades, not status
  error, not verdicts invalid_answer / internal_error. A queued submission already counts: it
  used up an attempt.
- **Days late** = of the submission that gave the result. On a tie the earliest submission
  gives it (it is the least late).
- Queued or running submissions are **pending**: a student with nothing graded yet but
  something pending shows "pending", never 0.

Performance: the course's submissions are read once with `values()` (plus one query for the
applied regrades) and aggregated in Python, so a gradebook of N students x M assignments
costs a constant number of queries, not one per cell.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from catalog.models import Exercise
from courses.models import Assignment, Course
from courses.selectors import assignments_of, students_of
from django.db.models import Count, Q, QuerySet
from submissions.models import NOT_COUNTED_VERDICTS, ORIGINAL_GRADED, RegradeBatch, Submission

from graders.report import VERDICT_LABELS, Verdict

PENDING = (Submission.Status.QUEUED, Submission.Status.RUNNING)
# Scores are floats (a late factor of 0.9, partial credit): "reaches the max" allows rounding.
EPSILON = 1e-9

_FIELDS = ("id", "user_id", "exercise_id", "status", "verdict", "score", "max_score", "created_at")
_REGRADE_FIELDS = ("regrade_of_id", "verdict", "score", "max_score")

Row = dict[str, Any]


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

    @property
    def slug(self) -> str:
        return self.assignment.exercise.slug

    @property
    def out_of(self) -> float:
        return self.max_score if self.max_score is not None else self.assignment.exercise.points

    @property
    def is_graded(self) -> bool:
        return self.score is not None


def _result_cells(
    assignment: Assignment, rows: Iterable[Row], regrades: dict[int, Row]
) -> dict[int, Cell]:
    """User id -> Cell, from one exercise's original submissions in chronological order.

    `regrades` maps an original submission's id to the regrade that replaces its score.
    """
    cells: dict[int, Cell] = {}
    for row in rows:
        cell = cells.get(row["user_id"])
        if cell is None:
            cell = cells[row["user_id"]] = Cell(assignment)
        if row["status"] in PENDING:
            cell.pending += 1
            cell.attempts += 1
            continue
        if row["status"] != Submission.Status.DONE or row["verdict"] in NOT_COUNTED_VERDICTS:
            continue
        cell.attempts += 1
        graded = regrades.get(row["id"], row)
        raw = graded["score"]
        if raw is None:
            continue
        out_of = graded["max_score"]
        if out_of is None:
            out_of = assignment.exercise.points
        if not cell.solved and raw >= out_of - EPSILON:
            cell.solved = True
            cell.attempts_to_solve = cell.attempts
        effective = raw * assignment.late_factor(row["created_at"])
        # Strictly greater, in chronological order: a tie keeps the earlier, less late one.
        if cell.score is None or effective > cell.score:
            cell.score = effective
            cell.raw_score = raw
            cell.max_score = out_of
            cell.days_late = assignment.days_late(row["created_at"])
            cell.best_submission_id = row["id"]
    return cells


def _original_rows(
    course: Course,
    exercise_ids: list[int],
    *,
    user_ids: Iterable[int] | None = None,
    fields: tuple[str, ...] = _FIELDS,
) -> list[Row]:
    """The course's graded, original (not regrade) submissions, oldest first."""
    qs = Submission.objects.filter(ORIGINAL_GRADED, course=course, exercise_id__in=exercise_ids)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    return list(qs.order_by("created_at", "id").values(*fields))


def _replacing_regrades(
    course: Course, exercise_ids: list[int], batches: Q, *, fields: tuple[str, ...] = ()
) -> dict[int, Row]:
    """Original id -> the finished regrade whose score replaces it, among `batches`.

    Ordered by batch: a newer batch's regrade overwrites an older one's. Regrades that could
    not be graded (status error) or are still pending are not in the query at all.
    """
    rows = (
        Submission.objects.filter(
            regrade_batch__course=course,
            exercise_id__in=exercise_ids,
            regrade_of__isnull=False,
            status=Submission.Status.DONE,
            score__isnull=False,
        )
        .filter(batches)
        .order_by("regrade_batch_id", "id")
        .values(*_REGRADE_FIELDS, *fields)
    )
    return {row["regrade_of_id"]: row for row in rows}


APPLIED = Q(regrade_batch__applied_at__isnull=False)


# -- the gradebook ------------------------------------------------------------------------------
@dataclass
class StudentRow:
    student: User
    cells: list[Cell]

    @property
    def total(self) -> float:
        return sum(cell.score for cell in self.cells if cell.score is not None)


@dataclass
class Gradebook:
    course: Course
    assignments: list[Assignment]
    rows: list[StudentRow]

    @property
    def max_total(self) -> float:
        return sum(assignment.exercise.points for assignment in self.assignments)


def gradebook_for(course: Course) -> Gradebook:
    """Every student of the course x every published assignment, by the rules above.

    Four queries whatever the size: assignments, students, submissions, applied regrades.
    """
    assignments = list(assignments_of(course, published_only=True))
    students = list(students_of(course))
    exercise_ids = [assignment.exercise_id for assignment in assignments]
    by_exercise: dict[int, list[Row]] = defaultdict(list)
    for row in _original_rows(course, exercise_ids):
        by_exercise[row["exercise_id"]].append(row)
    regrades = _replacing_regrades(course, exercise_ids, APPLIED)
    cells = {
        assignment.exercise_id: _result_cells(
            assignment, by_exercise[assignment.exercise_id], regrades
        )
        for assignment in assignments
    }
    rows = [
        StudentRow(
            student,
            [
                cells[assignment.exercise_id].get(student.pk) or Cell(assignment)
                for assignment in assignments
            ],
        )
        for student in students
    ]
    return Gradebook(course, assignments, rows)


def assignment_get(*, course: Course, slug: str) -> Assignment | None:
    """The course's assignment of the exercise `slug`, published or not."""
    return (
        Assignment.objects.filter(course=course, exercise__slug=slug)
        .select_related("course", "exercise", "exercise__current_version")
        .first()
    )


def student_get(*, course: Course, pk: int) -> User | None:
    return students_of(course).filter(pk=pk).first()


def student_result(*, assignment: Assignment, student: User) -> Cell:
    """One student's cell of the gradebook, by the same rules."""
    course, exercise_ids = assignment.course, [assignment.exercise_id]
    rows = _original_rows(course, exercise_ids, user_ids=[student.pk])
    regrades = _replacing_regrades(course, exercise_ids, APPLIED)
    return _result_cells(assignment, rows, regrades).get(student.pk) or Cell(assignment)


def student_submissions(*, assignment: Assignment, student: User) -> list[tuple[Submission, int]]:
    """What the student sent for this assignment in its course (graded and practice), and
    the instructors' regrades of it, newest first; each with its days late (a regrade: its
    original's, which is what the late factor uses)."""
    submissions = (
        Submission.objects.filter(
            Q(course=assignment.course) | Q(regrade_of__course=assignment.course),
            user=student,
            exercise_id=assignment.exercise_id,
        )
        .select_related("regrade_batch", "regrade_of", "exercise")
        .order_by("-created_at", "-id")
    )
    return [
        (submission, assignment.days_late((submission.regrade_of or submission).created_at))
        for submission in submissions
    ]


# -- one exercise's statistics --------------------------------------------------------------------
SCORE_BINS = [f"{low}–{low + 9}" for low in range(0, 100, 10)] + ["100"]  # % of the max
ATTEMPT_BINS = 10  # 1, 2, ... 9, "10+"
TOP = 10


@dataclass
class ExerciseStats:
    """How the students of a course did on one assignment.

    `students` counts the course's students; `tried` those with at least one counted attempt;
    `solved` those whose raw score reached the max once. The score distribution is over the
    best effective score of each student with a graded submission. Failing checks and hints
    are counted once per failed graded submission (effective verdict not accepted), from its
    effective report (an applied regrade's report replaces the original's).
    """

    assignment: Assignment
    students: int
    tried: int
    solved: int
    attempts_to_solve: list[int]
    score_bins: list[tuple[str, int]]
    attempt_bins: list[tuple[str, int]]
    failing_checks: list[tuple[str, int]]
    hints: list[tuple[str, int]]
    verdicts: list[tuple[str, int]]
    pending: int
    regradable: int  # counted graded submissions a regrade would make again

    @property
    def tried_percent(self) -> float | None:
        return 100 * self.tried / self.students if self.students else None

    @property
    def solved_percent(self) -> float | None:
        return 100 * self.solved / self.students if self.students else None

    @property
    def solved_percent_of_tried(self) -> float | None:
        return 100 * self.solved / self.tried if self.tried else None

    @property
    def median_attempts(self) -> float | None:
        return statistics.median(self.attempts_to_solve) if self.attempts_to_solve else None

    @property
    def mean_attempts(self) -> float | None:
        return statistics.fmean(self.attempts_to_solve) if self.attempts_to_solve else None


def _score_bin(score: float, out_of: float) -> int:
    if out_of <= 0 or score >= out_of - EPSILON:
        return len(SCORE_BINS) - 1
    return min(int(score / out_of * 10), 9)


def _attempt_bins(attempts: list[int]) -> list[tuple[str, int]]:
    if not attempts:
        return []
    counts = Counter(min(n, ATTEMPT_BINS) for n in attempts)
    last = min(max(attempts), ATTEMPT_BINS)
    return [
        (f"{n}+" if n == ATTEMPT_BINS else str(n), counts.get(n, 0)) for n in range(1, last + 1)
    ]


def _verdict_label(verdict: str) -> str:
    try:
        return VERDICT_LABELS[Verdict(verdict)]
    except ValueError:
        return verdict or "no verdict"


def exercise_stats(*, assignment: Assignment) -> ExerciseStats:
    """Statistics of one assignment over the course's students (three queries)."""
    course, exercise_ids = assignment.course, [assignment.exercise_id]
    student_ids = set(students_of(course).values_list("pk", flat=True))
    rows = [
        row
        for row in _original_rows(course, exercise_ids, fields=(*_FIELDS, "report"))
        if row["user_id"] in student_ids
    ]
    regrades = _replacing_regrades(course, exercise_ids, APPLIED, fields=("report",))
    cells = _result_cells(assignment, rows, regrades).values()

    failing: Counter[str] = Counter()
    hints: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    regradable = pending = 0
    for row in rows:
        if row["status"] in PENDING:
            pending += 1
            continue
        if row["status"] == Submission.Status.ERROR:
            verdicts[_verdict_label(Verdict.INTERNAL_ERROR)] += 1
            continue
        effective = regrades.get(row["id"], row)
        verdicts[_verdict_label(effective["verdict"])] += 1
        if row["verdict"] in NOT_COUNTED_VERDICTS:
            continue
        regradable += 1
        if effective["verdict"] == Verdict.ACCEPTED:
            continue
        checks = (effective["report"] or {}).get("checks") or []
        failed = [check for check in checks if isinstance(check, dict) and not check.get("passed")]
        failing.update({str(check.get("name") or "unnamed check") for check in failed})
        hints.update({str(check["hint"]) for check in failed if check.get("hint")})
    if pending:
        verdicts["Pending (queued or running)"] += pending

    bins = [0] * len(SCORE_BINS)
    for cell in cells:
        if cell.score is not None:
            bins[_score_bin(cell.score, cell.out_of)] += 1
    attempts_to_solve = sorted(
        cell.attempts_to_solve for cell in cells if cell.attempts_to_solve is not None
    )
    return ExerciseStats(
        assignment=assignment,
        students=len(student_ids),
        tried=sum(1 for cell in cells if cell.attempts > 0),
        solved=sum(1 for cell in cells if cell.solved),
        attempts_to_solve=attempts_to_solve,
        score_bins=list(zip(SCORE_BINS, bins, strict=True)),
        attempt_bins=_attempt_bins(attempts_to_solve),
        failing_checks=failing.most_common(TOP),
        hints=hints.most_common(TOP),
        verdicts=verdicts.most_common(),
        pending=pending,
        regradable=regradable,
    )


# -- regrades -------------------------------------------------------------------------------------
def regrade_batches_of(*, course: Course, exercise: Exercise) -> QuerySet[RegradeBatch]:
    """The course's regrades of the exercise, newest first, with their progress counted."""
    return (
        RegradeBatch.objects.filter(course=course, exercise=exercise)
        .select_related("requested_by", "version")
        .annotate(
            total=Count("regrades"),
            pending=Count("regrades", filter=Q(regrades__status__in=PENDING)),
        )
        .order_by("-created_at", "-id")
    )


def regrade_batch_get(*, course: Course, pk: int) -> RegradeBatch | None:
    return (
        RegradeBatch.objects.filter(course=course, pk=pk)
        .select_related("exercise", "version", "requested_by", "course")
        .first()
    )


@dataclass
class PreviewRow:
    """One student in a regrade: their result now (`old`) and once the batch is applied."""

    student: User
    old: Cell
    new: Cell
    regrades: int = 0
    pending: int = 0
    failed: int = 0

    @property
    def change(self) -> str:
        """up, down or same; comparing effective scores (late penalty included)."""
        old = self.old.score if self.old.score is not None else 0.0
        new = self.new.score if self.new.score is not None else 0.0
        if new > old + EPSILON:
            return "up"
        if new < old - EPSILON:
            return "down"
        return "same"


@dataclass
class RegradePreview:
    batch: RegradeBatch
    rows: list[PreviewRow]  # changed rows first, then unchanged
    total: int  # regrades in the batch
    pending: int  # of them still queued or running
    failed: int  # of them that could not be graded (they never replace a score)
    counts: dict[str, int] = field(default_factory=dict)  # up / down / same, per student

    @property
    def finished(self) -> int:
        return self.total - self.pending

    @property
    def is_finished(self) -> bool:
        return self.pending == 0


def regrade_preview(*, batch: RegradeBatch) -> RegradePreview:
    """What applying `batch` would change, per student: old effective score -> new one.

    "Old" is the gradebook as it is without this batch (every other applied batch counts);
    "new" is the gradebook with this batch applied too. If a newer batch is already applied,
    its scores still win for the submissions it regraded, exactly as the gradebook will.
    Regrades still running show the old score until they finish.
    """
    course, exercise_ids = batch.course, [batch.exercise_id]
    # Without the assignment (deleted since), there is no deadline: no late factor.
    assignment = Assignment.objects.filter(course=course, exercise_id=batch.exercise_id).first()
    if assignment is None:
        assignment = Assignment(course=course, exercise=batch.exercise)
    assignment.exercise = batch.exercise
    mine = list(Submission.objects.filter(regrade_batch=batch).values("id", "user_id", "status"))
    user_ids = {row["user_id"] for row in mine}
    rows = _original_rows(course, exercise_ids, user_ids=user_ids)
    without_batch = _replacing_regrades(course, exercise_ids, APPLIED & ~Q(regrade_batch=batch))
    with_batch = _replacing_regrades(course, exercise_ids, APPLIED | Q(regrade_batch=batch))
    old_cells = _result_cells(assignment, rows, without_batch)
    new_cells = _result_cells(assignment, rows, with_batch)

    preview_rows: dict[int, PreviewRow] = {}
    for student in students_of(course).filter(pk__in=user_ids):
        preview_rows[student.pk] = PreviewRow(
            student,
            old_cells.get(student.pk) or Cell(assignment),
            new_cells.get(student.pk) or Cell(assignment),
        )
    for row in mine:
        preview = preview_rows.get(row["user_id"])
        if preview is None:  # no longer a student of the course
            continue
        preview.regrades += 1
        preview.pending += row["status"] in PENDING
        preview.failed += row["status"] == Submission.Status.ERROR
    ordered = sorted(preview_rows.values(), key=lambda preview: preview.change == "same")
    counts = Counter(preview.change for preview in ordered)
    return RegradePreview(
        batch=batch,
        rows=ordered,
        total=len(mine),
        pending=sum(1 for row in mine if row["status"] in PENDING),
        failed=sum(1 for row in mine if row["status"] == Submission.Status.ERROR),
        counts={change: counts.get(change, 0) for change in ("up", "down", "same")},
    )

"""Reads for the gradebook: what each student has earned, and how an exercise went.

The scoring rules (raw and effective score, result, solved, attempts, pending) are written once
in submissions/scores.py: the gradebook page, the CSV export, the per-exercise statistics and
the regrade preview compute with them, as the students' own pages and the API do.

Performance: the course's submissions are read once with `values()` (plus one query for the
applied regrades, and two for the course's extensions and score overrides) and aggregated in
Python, so a gradebook of N students x M assignments costs a constant number of queries, not one
per cell.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from catalog.models import Exercise
from courses.models import Assignment, Course, Extension, ScoreOverride
from courses.rules import StudentRules
from courses.selectors import (
    assignments_of,
    course_exceptions,
    extensions_of_student,
    rules_for,
    score_overrides_of,
    students_of,
)
from graders.report import VERDICT_LABELS, Verdict
from submissions.models import NOT_COUNTED_VERDICTS, RegradeBatch, Submission
from submissions.scores import (  # the rules, written once
    APPLIED,
    EPSILON,
    FIELDS,
    PENDING,
    Cell,
    Row,
    original_rows,
    replacing_regrades,
    result_cells,
    student_result,
)

# The gradebook's page, CSV and tests read a student's cell from here too.
__all__ = ["Cell", "Row", "student_result"]


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

    Six queries whatever the size: assignments, students, submissions, applied regrades, the
    course's extensions, its score overrides.
    """
    assignments = list(assignments_of(course, published_only=True))
    students = list(students_of(course))
    exercise_ids = [assignment.exercise_id for assignment in assignments]
    by_exercise: dict[int, list[Row]] = defaultdict(list)
    for row in original_rows(course, exercise_ids):
        by_exercise[row["exercise_id"]].append(row)
    regrades = replacing_regrades(course, exercise_ids, APPLIED)
    exceptions = course_exceptions(course)
    cells = {
        assignment.exercise_id: result_cells(
            assignment, by_exercise[assignment.exercise_id], regrades, exceptions=exceptions
        )
        for assignment in assignments
    }
    rows = [
        StudentRow(
            student,
            [
                cells[assignment.exercise_id].get(student.pk)
                or Cell(assignment, rules=exceptions.rules(assignment, student.pk))
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


@dataclass
class StudentAssignment:
    """One student on one assignment, for the gradebook's student page: their result, their
    own rules, the extensions behind them, the score overrides' audit log, what they sent."""

    cell: Cell
    rules: StudentRules
    extensions: list[Extension]
    overrides: list[ScoreOverride]  # newest first
    submissions: list[tuple[Submission, int]]


def student_assignment(*, assignment: Assignment, student: User) -> StudentAssignment:
    rules = rules_for(assignment, student)
    return StudentAssignment(
        cell=student_result(assignment=assignment, student=student),
        rules=rules,
        extensions=[
            extension
            for extension in extensions_of_student(course=assignment.course, student=student)
            if extension.assignment_id in (None, assignment.pk)
        ],
        overrides=score_overrides_of(assignment=assignment, student=student),
        submissions=student_submissions(assignment=assignment, student=student, rules=rules),
    )


def student_submissions(
    *, assignment: Assignment, student: User, rules: StudentRules | None = None
) -> list[tuple[Submission, int]]:
    """What the student sent for this assignment in its course (graded and practice), and
    the instructors' regrades of it, newest first; each with its days late under the student's
    rules (a regrade: its original's, which is what the late factor uses)."""
    rules = rules or rules_for(assignment, student)
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
        (submission, rules.days_late((submission.regrade_of or submission).created_at))
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
    """Statistics of one assignment over the course's students (five queries)."""
    course, exercise_ids = assignment.course, [assignment.exercise_id]
    student_ids = set(students_of(course).values_list("pk", flat=True))
    rows = [
        row
        for row in original_rows(course, exercise_ids, fields=(*FIELDS, "report"))
        if row["user_id"] in student_ids
    ]
    regrades = replacing_regrades(course, exercise_ids, APPLIED, fields=("report",))
    exceptions = course_exceptions(course, student_ids=student_ids)
    cells = result_cells(assignment, rows, regrades, exceptions=exceptions).values()

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
    # Under "never lower a score": what applying without it would give, when that is lower
    # (the row is then "kept": `new` is the old score).
    lowered: Cell | None = None

    @property
    def kept(self) -> bool:
        return self.lowered is not None

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
    never_lower: bool = False  # previewed with "never lower a score"
    kept: int = 0  # students whose score would go down and is kept (never_lower only)

    @property
    def finished(self) -> int:
        return self.total - self.pending

    @property
    def is_finished(self) -> bool:
        return self.pending == 0


def regrade_preview(*, batch: RegradeBatch, never_lower: bool | None = None) -> RegradePreview:
    """What applying `batch` would change, per student: old effective score -> new one.

    "Old" is the gradebook as it is without this batch (every other applied batch counts);
    "new" is the gradebook with this batch applied too. If a newer batch is already applied,
    its scores still win for the submissions it regraded, exactly as the gradebook will.
    Regrades still running show the old score until they finish. With `never_lower` (None:
    as stored on the batch) "new" is what applying with "never lower a score" gives, and each
    row that would go down without it is marked kept.
    """
    if never_lower is None:
        never_lower = batch.never_lower
    course, exercise_ids = batch.course, [batch.exercise_id]
    # Without the assignment (deleted since), there is no deadline: no late factor.
    assignment = Assignment.objects.filter(course=course, exercise_id=batch.exercise_id).first()
    if assignment is None:
        assignment = Assignment(course=course, exercise=batch.exercise)
    assignment.exercise, assignment.course = batch.exercise, course
    mine = list(Submission.objects.filter(regrade_batch=batch).values("id", "user_id", "status"))
    user_ids = {row["user_id"] for row in mine}
    rows = original_rows(course, exercise_ids, user_ids=user_ids)
    without_batch = replacing_regrades(course, exercise_ids, APPLIED & ~Q(regrade_batch=batch))
    # Without the option, even if the batch was applied with it: what it would have lowered.
    with_batch = replacing_regrades(
        course, exercise_ids, APPLIED | Q(regrade_batch=batch), never_lower={batch.pk: False}
    )
    # Each student's own rules (extensions) and overrides, as the gradebook counts them: a
    # standing override keeps the score the same either way.
    exceptions = course_exceptions(course, student_ids=user_ids)
    old_cells = result_cells(assignment, rows, without_batch, exceptions=exceptions)
    new_cells = result_cells(assignment, rows, with_batch, exceptions=exceptions)
    kept_cells = new_cells
    if never_lower:
        kept = replacing_regrades(
            course, exercise_ids, APPLIED | Q(regrade_batch=batch), never_lower={batch.pk: True}
        )
        kept_cells = result_cells(assignment, rows, kept, exceptions=exceptions)

    preview_rows: dict[int, PreviewRow] = {}
    for student in students_of(course).filter(pk__in=user_ids):
        old = old_cells.get(student.pk) or Cell(assignment)
        plain = new_cells.get(student.pk) or Cell(assignment)
        preview = PreviewRow(student, old, kept_cells.get(student.pk) or Cell(assignment))
        if never_lower and PreviewRow(student, old, plain).change == "down":
            preview.lowered = plain
        preview_rows[student.pk] = preview
    for row in mine:
        preview = preview_rows.get(row["user_id"])
        if preview is None:  # no longer a student of the course
            continue
        preview.regrades += 1
        preview.pending += row["status"] in PENDING
        preview.failed += row["status"] == Submission.Status.ERROR
    ordered = sorted(
        preview_rows.values(), key=lambda preview: preview.change == "same" and not preview.kept
    )
    counts = Counter(preview.change for preview in ordered)
    return RegradePreview(
        batch=batch,
        rows=ordered,
        total=len(mine),
        pending=sum(1 for row in mine if row["status"] in PENDING),
        failed=sum(1 for row in mine if row["status"] == Submission.Status.ERROR),
        counts={change: counts.get(change, 0) for change in ("up", "down", "same")},
        never_lower=never_lower,
        kept=sum(1 for preview in ordered if preview.kept),
    )

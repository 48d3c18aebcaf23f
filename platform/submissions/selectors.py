"""Reads for submissions. Who may see what is decided here, once, for pages and API alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import User
from catalog.models import Exercise, ExerciseVersion
from config.prepared import PreparedQuery
from courses.models import Assignment
from courses.selectors import assignment_for, students_taught_by
from django.db.models import Max, Q, QuerySet
from django.http import Http404

from graders.report import Verdict
from submissions.models import COUNTS_AS_TRY, ORIGINAL_GRADED, Submission


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """Students: their own. Instructors: their own and their courses' students'. Staff: all."""
    qs = Submission.objects.select_related("exercise", "user", "course")
    if user.is_platform_staff:
        return qs
    if user.is_instructor:
        return qs.filter(Q(user=user) | Q(user__in=students_taught_by(user)))
    return qs.filter(user=user)


def submission_get_for_user(*, user: User, submission_id: int) -> Submission:
    """One submission the user may see; Http404 otherwise.

    404 and not 403 for someone else's submission: a 403 would confirm that the id exists.
    """
    submission = (
        submissions_visible_to(user)
        .select_related("version")
        .defer("version__files")  # polled every second by the page: keep it light
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise Http404("no such submission")
    return submission


def submission_for_grading(submission_id: int) -> Submission:
    """The submission a worker has just claimed, with its version (not its `files`, loaded
    only if the folder changed since: catalog.selectors.engine_exercise) and exercise.

    Raises Submission.DoesNotExist.
    """
    submission = _FOR_GRADING.first(pk=submission_id)
    if submission is None:
        raise Submission.DoesNotExist(f"no submission {submission_id}")
    return submission


# Once per task: prepared (config/prepared.py) rather than a three-table join compiled each time.
_FOR_GRADING = PreparedQuery(
    lambda pk: (
        Submission.objects.select_related("exercise", "version__exercise")
        .defer("version__files")
        .filter(pk=pk)[:1]
    ),
    pk=int,
)


def submission_for_status(*, user: User, submission_id: int) -> Submission:
    """The same as submission_get_for_user, with only what the status API returns.

    A page polls this every second while a submission is graded: building a query of 60
    columns (the user's, the version's files) cost more CPU than running it.
    """
    if user.is_platform_staff or user.is_instructor:
        qs = _status_only(submissions_visible_to(user))
        submission = qs.filter(pk=submission_id).first()
    else:
        # A student polling their own (submissions_visible_to's rule for students), the
        # busiest read of a deadline: prepared (config/prepared.py).
        submission = _OWN_STATUS.first(user_id=user.pk, pk=submission_id)
    if submission is None:
        raise Http404("no such submission")
    return submission


def _status_only(qs: QuerySet[Submission]) -> QuerySet[Submission]:
    return (
        qs.select_related(None).select_related("exercise", "version", "course").only(*STATUS_FIELDS)
    )


_OWN_STATUS = PreparedQuery(
    lambda user_id, pk: _status_only(Submission.objects.filter(user_id=user_id, pk=pk))[:1],
    user_id=int,
    pk=int,
)


STATUS_FIELDS = (
    "user_id",
    "exercise__slug",
    "exercise__kind",
    "version__version",
    "course__slug",
    "mode",
    "visible_only",
    "status",
    "verdict",
    "score",
    "max_score",
    "message",
    "attempt",
    "seed",
    "report",
    "created_at",
    "queued_at",
    "started_at",
    "finished_at",
    "regrade_of_id",
)


def submission_list_for_student(
    *, user: User, exercise: Exercise | None = None
) -> QuerySet[Submission]:
    qs = Submission.objects.filter(user=user).select_related("exercise", "course")
    if exercise is not None:
        qs = qs.filter(exercise=exercise)
    return qs.order_by("-created_at", "-id")


def best_scores_for_student(*, user: User) -> dict[int, float]:
    """Exercise id -> the best score of the student's graded, finished submissions."""
    rows = (
        Submission.objects.filter(ORIGINAL_GRADED, user=user, status=Submission.Status.DONE)
        .values("exercise_id")
        .annotate(best=Max("score"))
    )
    return {row["exercise_id"]: row["best"] for row in rows if row["best"] is not None}


# -- what a student is shown ------------------------------------------------------------------
HIDDEN_UNTIL_DEADLINE = "Hidden case: {outcome}. Its feedback is shown after the deadline."


def _assignment_of(submission: Submission) -> Assignment | None:
    if submission.course_id is None:
        return None
    return _ASSIGNMENT_OF.first(course_id=submission.course_id, exercise_id=submission.exercise_id)


# Read by the last status poll of each graded submission: prepared.
_ASSIGNMENT_OF = PreparedQuery(
    lambda course_id, exercise_id: Assignment.objects.filter(
        course_id=course_id, exercise_id=exercise_id
    ).order_by("pk")[:1],
    course_id=int,
    exercise_id=int,
)


def report_for_viewer(submission: Submission, viewer: User) -> dict[str, Any] | None:
    """The report as `viewer` may see it.

    When the assignment hides hidden-case feedback until the deadline, its student sees only
    whether each hidden case passed: no message, hint, figures or stdout that would let them
    reverse-engineer the hidden inputs. Instructors of the course and staff see everything.
    """
    report = submission.report
    if not report or viewer.pk != submission.user_id or viewer.is_platform_staff:
        return report
    assignment = _assignment_of(submission)
    if assignment is None or assignment.shows_hidden_feedback():
        return report
    checks = []
    for check in report.get("checks", []):
        if check.get("visible", True):
            checks.append(check)
            continue
        outcome = "passed" if check.get("passed") else "failed"
        checks.append(
            {
                "name": check.get("name", "hidden case"),
                "passed": bool(check.get("passed")),
                "visible": False,
                "stage": check.get("stage"),
                "message": HIDDEN_UNTIL_DEADLINE.format(outcome=outcome),
                "hint": None,
                "details": {},
            }
        )
    return {**report, "checks": checks}


@dataclass(frozen=True)
class WorkedSolution:
    available: bool
    reason: str  # why it is (not yet) shown, in words for the student
    markdown: str = ""  # worked_solution.md, if the exercise has one
    code: str = ""  # else: the first correct solution of a code exercise


def _solution_text(version: ExerciseVersion) -> tuple[str, str]:
    files = version.files or {}
    if files.get("worked_solution.md"):
        return files["worked_solution.md"], ""
    if version.exercise.kind == Exercise.Kind.CODE:
        for name in sorted(files):
            if name.startswith("solutions/correct") and name.endswith(".py"):
                return "", files[name]
    return "", ""


def worked_solution_for(*, user: User, exercise: Exercise) -> WorkedSolution:
    """Whether the student may see the worked solution now, by the instructor's rule.

    Outside any course (pure self-test) the rule is "once solved, or after 5 attempts"
    counting practice too. In a course, the assignment's solution policy decides; graded and
    practice attempts both count, since practice is where students get stuck.
    """
    version = exercise.current_version
    if version is None:
        return WorkedSolution(False, "This exercise has no version yet.")
    markdown, code = _solution_text(version)
    if not (markdown or code):
        return WorkedSolution(False, "This exercise has no worked solution.")
    mine = Submission.objects.filter(user=user, exercise=exercise, regrade_of__isnull=True)
    solved = mine.filter(status=Submission.Status.DONE, verdict=Verdict.ACCEPTED.value).exists()
    tried = mine.filter(COUNTS_AS_TRY, status=Submission.Status.DONE).count()
    if user.is_platform_staff or user.is_instructor:
        return WorkedSolution(True, "You teach: you always see it.", markdown, code)
    assignment = assignment_for(user=user, exercise=exercise)
    policy = assignment.solution_policy if assignment else Assignment.SolutionPolicy.ATTEMPTS
    after = assignment.solution_after_attempts if assignment else SELF_TEST_SOLUTION_AFTER
    Policy = Assignment.SolutionPolicy
    if policy == Policy.NEVER:
        return WorkedSolution(False, "Your instructor does not show the worked solution.")
    if solved:
        return WorkedSolution(True, "You solved it.", markdown, code)
    if policy == Policy.ATTEMPTS and tried >= after:
        return WorkedSolution(True, f"Shown after {after} attempts.", markdown, code)
    if policy == Policy.DUE and assignment is not None and assignment.is_past_due():
        return WorkedSolution(True, "The deadline has passed.", markdown, code)
    if policy == Policy.ATTEMPTS:
        return WorkedSolution(
            False, f"Shown once you solve it, or after {after} attempts ({tried} so far)."
        )
    if policy == Policy.DUE:
        return WorkedSolution(False, "Shown once you solve it, or after the deadline.")
    return WorkedSolution(False, "Shown once you solve it.")


SELF_TEST_SOLUTION_AFTER = 5

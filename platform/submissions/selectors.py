"""Reads for submissions. Who may see what is decided here, once, for pages and API alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise
from core.prepared import PreparedQuery
from courses.models import Assignment
from courses.rules import results_withheld
from courses.selectors import courses_taught_by, rules_for
from courses.time import deadline_text
from submissions.models import ORIGINAL_GRADED, Submission
from submissions.scores import with_effective


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """Students: their own. Instructors: their own, and those *made in* courses they teach (a
    student's work in another course, or their self-test, is not theirs to read). Staff: all.
    """
    qs = Submission.objects.select_related("exercise", "user", "course")
    if user.is_platform_staff:
        return qs
    if user.is_instructor:
        return qs.filter(Q(user=user) | Q(course__in=courses_taught_by(user).values("pk")))
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


# Once per task: prepared (core/prepared.py) rather than a three-table join compiled each time.
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
        # busiest read of a deadline: prepared (core/prepared.py).
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
    """Exercise id -> the best score of the student's graded, finished submissions, leaving
    out those whose results are still withheld (exam mode: `results_withheld`)."""
    withheld = Assignment.objects.filter(
        course_id=OuterRef("course_id"),
        exercise_id=OuterRef("exercise_id"),
        scores_released_at__gt=timezone.now(),
    )
    rows = (
        Submission.objects.filter(ORIGINAL_GRADED, user=user, status=Submission.Status.DONE)
        .exclude(Exists(withheld))
        .values("exercise_id")
        .annotate(best=Max("score"))
    )
    return {row["exercise_id"]: row["best"] for row in rows if row["best"] is not None}


# -- what a student is shown ------------------------------------------------------------------
HIDDEN_UNTIL_DEADLINE = "Hidden case: {outcome}. Its feedback is shown after the deadline."
HIDDEN_NEVER = "Hidden case: {outcome}. Its feedback is not shown in this course."


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


# -- exam mode ----------------------------------------------------------------------------------
RESULTS_WITHHELD = (
    "Received. Your instructor releases the results of this assignment on {when}: until then "
    "its score, verdict and checks are not shown."
)


def results_withheld_from(
    submission: Submission,
    viewer: User,
    *,
    assignment: Assignment | None = None,
    when: datetime | None = None,
) -> str:
    """When `viewer` may see this submission's results, as text, if not yet; "" if now.

    Exam mode (courses.rules.results_withheld) hides a student's own graded submissions in the
    assignment: its score, verdict, checks, report and whether it solved anything. Its
    instructors and staff see everything (they grade). `assignment`: the submission's, when the
    caller has it already (else it is read).
    """
    if viewer.pk != submission.user_id or viewer.is_platform_staff:
        return ""
    if submission.mode != Submission.Mode.GRADED or submission.course_id is None:
        return ""
    if assignment is None:
        assignment = _assignment_of(submission)
    if assignment is None or not results_withheld(assignment, when):
        return ""
    return deadline_text(assignment.scores_released_at, submission.course)


def submissions_for_viewer(submissions: Iterable[Submission], viewer: User) -> list[Submission]:
    """The submissions as `viewer` may see them, for pages and the API: each with its effective
    score (`.effective`), and, where exam mode withholds its results from them, with
    `.withheld_until` set and the verdict, score, message and report blanked in memory, so no
    template or serializer can show them by mistake. Never saved."""
    rows = with_effective(submissions)
    assignments: dict[tuple[int, int], Assignment | None] = {}
    for submission in rows:
        submission.withheld_until = ""  # type: ignore[attr-defined]
        if submission.user_id != viewer.pk or submission.course_id is None:
            continue
        key = (submission.course_id, submission.exercise_id)
        if key not in assignments:
            assignments[key] = _assignment_of(submission)
        when = results_withheld_from(submission, viewer, assignment=assignments[key])
        if when:
            submission.withheld_until = when  # type: ignore[attr-defined]
            submission.verdict = ""
            submission.score = None
            submission.max_score = None
            submission.effective = None  # type: ignore[attr-defined]
            submission.message = RESULTS_WITHHELD.format(when=when)
            submission.report = None
    return rows


def seed_for_viewer(submission: Submission, viewer: User) -> int | None:
    """The instance's seed, unless it is the student's own graded instance shown to them: with
    the exercise's files (a public folder in the repository), the graded seed would let them
    run its hidden cases offline. A practice seed is theirs to use (docs/offline.md)."""
    own = viewer.pk == submission.user_id and not viewer.is_platform_staff
    if own and submission.mode == Submission.Mode.GRADED:
        return None
    return submission.seed


def report_for_viewer(submission: Submission, viewer: User) -> dict[str, Any] | None:
    """The report as `viewer` may see it.

    When the assignment hides hidden-case feedback until the deadline, its student sees only
    whether each hidden case passed: no message, hint, figures or stdout that would let them
    reverse-engineer the hidden inputs. Instructors of the course and staff see everything.
    """
    report = submission.report
    if not report or viewer.pk != submission.user_id or viewer.is_platform_staff:
        return report
    if results_withheld_from(submission, viewer):
        return None
    if "seed" in report and seed_for_viewer(submission, viewer) is None:
        report = {key: value for key, value in report.items() if key != "seed"}
    if report.get("fault") == "exercise":
        # The exercise's own reference failed: its error (a traceback quoting reference.py) is
        # for the exercise's authors, who get it in the alert; the student reads the message.
        return {**report, "warnings": [], "checks": []}
    assignment = _assignment_of(submission)
    # Per the assignment's feedback release: "due" waits for the student's own deadline (an
    # extension moves it; the query is made only when the feedback is held back at all).
    if (
        assignment is None
        or assignment.feedback_release == assignment.FeedbackRelease.IMMEDIATELY
        or rules_for(assignment, viewer).shows_hidden_feedback()
    ):
        return report
    held_back = (
        HIDDEN_NEVER
        if assignment.feedback_release == assignment.FeedbackRelease.NEVER
        else HIDDEN_UNTIL_DEADLINE
    )
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
                "message": held_back.format(outcome=outcome),
                "hint": None,
                "details": {},
            }
        )
    return {**report, "checks": checks}

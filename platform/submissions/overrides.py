"""A student's score on an assignment set by hand: the gradebook's override form, a family
re-scored (gradebook.services.family_rescore) and an answered regrade request (reviews) all write
it here, with its audit row. How it counts: submissions/scores.py."""

from __future__ import annotations

import math

from django.db import transaction

from accounts.models import User
from core.errors import DomainError
from courses.models import Assignment, ScoreOverride
from courses.selectors import students_of
from submissions.scores import student_result
from submissions.signals import announce


class OverrideInvalid(DomainError):
    """A score override refused; `field` names the input at fault ("score" or "reason")."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


OVERRIDE_REASON_MAX = 500


def check_score(assignment: Assignment, score: float) -> None:
    """Raises OverrideInvalid unless `score` is a number from 0 to the exercise's points."""
    points = assignment.exercise.points
    if not (math.isfinite(score) and 0 <= score <= points):
        raise OverrideInvalid(f"the score is a number from 0 to {points:g}", field="score")


@transaction.atomic
def score_override_create(
    *,
    assignment: Assignment,
    student: User,
    score: float | None,
    reason: str,
    created_by: User,
) -> ScoreOverride:
    """Set `student`'s score on `assignment` by hand (`score` None: clear the override, so the
    grading counts again), with a reason, as a new row of the audit log: rows are never edited,
    the newest one supersedes (submissions/scores.py). `previous` records the effective score
    just before. Raises OverrideInvalid for a score outside 0..points, no reason, or a clear
    when no override stands.
    """
    # One change at a time per assignment: "old -> new" of two instructors' simultaneous
    # overrides must chain (on SQLite the transaction already serialises writers).
    list(Assignment.objects.select_for_update().filter(pk=assignment.pk).values_list("pk"))
    reason = reason.strip()
    if not reason:
        raise OverrideInvalid("give a reason: it is kept in the audit log", field="reason")
    if len(reason) > OVERRIDE_REASON_MAX:
        raise OverrideInvalid(
            f"the reason is {len(reason)} characters long; at most {OVERRIDE_REASON_MAX}",
            field="reason",
        )
    if score is not None:
        check_score(assignment, score)
    if not students_of(assignment.course).filter(pk=student.pk).exists():
        raise OverrideInvalid(f"{student.username} is not a student of this course", field="score")
    now = student_result(assignment=assignment, student=student)
    if score is None and not now.is_overridden:
        raise OverrideInvalid(
            "no score is set by hand for this student: nothing to clear", field="score"
        )
    override = ScoreOverride.objects.create(
        assignment=assignment,
        student=student,
        score=score,
        previous=now.score,
        reason=reason,
        created_by=created_by,
    )
    announce(sender=ScoreOverride, assignment_id=assignment.pk, student_ids=[student.pk])
    return override

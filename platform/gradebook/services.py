"""Writes for the gradebook: an instructor's regrade of one exercise, and its apply / discard;
a score set by hand (score_override_create).

A regrade never changes a grade by itself. `regrade_batch_create` makes one regrade row per
counted graded submission (on the low-priority "regrade" queue, so students' submissions go
first); the instructor reads the preview (`selectors.regrade_preview`: old score -> new score)
and then applies the batch, from which moment the gradebook uses its scores, or discards it.
"""

from __future__ import annotations

import math

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise
from core.errors import DomainError
from courses.models import Assignment, Course, ScoreOverride
from courses.selectors import students_of
from submissions.create import submission_regrade
from submissions.models import COUNTS_AS_TRY, ORIGINAL_GRADED, RegradeBatch, Submission
from submissions.scores import student_result


class RegradeError(DomainError):
    """A regrade action refused, with a message for the instructor."""


@transaction.atomic
def regrade_batch_create(*, course: Course, exercise: Exercise, requested_by: User) -> RegradeBatch:
    """Regrade every counted graded submission of the course's students for `exercise`
    against the exercise's current version.

    Counted graded = mode graded, not itself a regrade, status done, verdict that counts (an
    unparsed answer or an internal error has no score to revise). Every such submission, not
    only each student's best: a fixed check can turn an older attempt into the best one.
    Raises RegradeError when there is no version or nothing to regrade.
    """
    if exercise.current_version_id is None:
        raise RegradeError(f"{exercise.slug} has no current version to regrade against")
    originals = list(
        Submission.objects.filter(
            ORIGINAL_GRADED & COUNTS_AS_TRY,
            course=course,
            exercise=exercise,
            status=Submission.Status.DONE,
            user__in=students_of(course).values("pk"),
        )
        .select_related("exercise")
        .order_by("id")
    )
    if not originals:
        raise RegradeError("there is no graded submission of this exercise to regrade")
    batch = RegradeBatch.objects.create(
        course=course,
        exercise=exercise,
        version_id=exercise.current_version_id,
        requested_by=requested_by,
    )
    for original in originals:
        submission_regrade(submission=original, to_current_version=True, batch=batch)
    return batch


@transaction.atomic
def regrade_batch_apply(*, batch: RegradeBatch, never_lower: bool = False) -> bool:
    """From now on the gradebook uses the batch's scores (where its regrade finished: a regrade
    that could not be graded keeps the old score). Only once every regrade has finished, so
    what is applied is what the preview showed. With `never_lower`, a regrade lower than the
    score it would replace leaves it (submissions/scores.py): no student's result goes down.

    Returns False when the batch was applied already: applying twice does nothing more.
    Raises RegradeError if it was discarded or regrades are still pending.
    """
    locked = RegradeBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.applied_at is not None:
        return False
    if locked.discarded_at is not None:
        raise RegradeError("this regrade was discarded: start a new one")
    pending = Submission.objects.filter(
        regrade_batch=locked,
        status__in=(Submission.Status.QUEUED, Submission.Status.RUNNING),
    ).count()
    if pending:
        raise RegradeError(f"{pending} regrades are still running: apply once they finish")
    if never_lower:
        # Stored before the batch counts (same transaction): no read sees it applied without.
        RegradeBatch.objects.filter(pk=batch.pk).update(never_lower=True)
        batch.never_lower = True
    return _batch_close(batch, "applied_at")


@transaction.atomic
def regrade_batch_discard(*, batch: RegradeBatch) -> bool:
    """Drop the batch: its scores will never count. Regrades still running finish harmlessly.

    Returns False when it was discarded already. Raises RegradeError if it was applied: its
    scores are grades now, and a newer regrade is the way to change them.
    """
    locked = RegradeBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.discarded_at is not None:
        return False
    if locked.applied_at is not None:
        raise RegradeError("this regrade is applied already: start a new one to change scores")
    return _batch_close(batch, "discarded_at")


def _batch_close(batch: RegradeBatch, field: str) -> bool:
    """Set `field` (applied_at or discarded_at) to now, if the batch is still open.

    Conditional on the row: of a concurrent apply and discard only the first one counts (on
    databases without row locks the select_for_update above does nothing).
    """
    now = timezone.now()
    updated = RegradeBatch.objects.filter(
        pk=batch.pk, applied_at__isnull=True, discarded_at__isnull=True
    ).update(**{field: now})
    if updated:
        setattr(batch, field, now)
    return updated == 1


class OverrideInvalid(DomainError):
    """A score override refused; `field` names the input at fault ("score" or "reason")."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


OVERRIDE_REASON_MAX = 500


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
    points = assignment.exercise.points
    if score is not None and not (math.isfinite(score) and 0 <= score <= points):
        raise OverrideInvalid(f"the score is a number from 0 to {points:g}", field="score")
    if not students_of(assignment.course).filter(pk=student.pk).exists():
        raise OverrideInvalid(f"{student.username} is not a student of this course", field="score")
    now = student_result(assignment=assignment, student=student)
    if score is None and not now.is_overridden:
        raise OverrideInvalid(
            "no score is set by hand for this student: nothing to clear", field="score"
        )
    return ScoreOverride.objects.create(
        assignment=assignment,
        student=student,
        score=score,
        previous=now.score,
        reason=reason,
        created_by=created_by,
    )

"""Writes for the gradebook: an instructor's regrade of one exercise, and its apply / discard;
a score set by hand (submissions/overrides.py, where the regrade requests' page sets it too); a
family of instances re-scored by hand
(family_rescore: score overrides for the students of a family that fairness found harder).

A regrade never changes a grade by itself. `regrade_batch_create` makes one regrade row per
counted graded submission (on the low-priority "regrade" queue, so students' submissions go
first); the instructor reads the preview (`selectors.regrade_preview`: old score -> new score)
and then applies the batch, from which moment the gradebook uses its scores, or discards it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise, ExerciseVersion
from core.errors import DomainError
from courses.models import Assignment, Course, ScoreOverride
from courses.selectors import students_of
from gradebook.fairness import family_students, instance_params
from submissions.create import submission_regrade
from submissions.models import COUNTS_AS_TRY, ORIGINAL_GRADED, RegradeBatch, Submission
from submissions.overrides import (
    OVERRIDE_REASON_MAX,
    OverrideInvalid,
    check_score,
    score_override_create,
)
from submissions.scores import EPSILON, student_result
from submissions.signals import announce_batch


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
    applied = _batch_close(batch, "applied_at")
    if applied:
        announce_batch(sender=RegradeBatch, batch_id=batch.pk)
    return applied


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


# -- re-scoring a family of instances ----------------------------------------------------------
@dataclass(frozen=True)
class FamilyChange:
    """One student of a family: their result now, and after the re-score (None: unchanged,
    it is at or above the new score already: a re-score never lowers a result)."""

    student: User
    before: float | None
    after: float | None


def family_rescore_preview(
    *,
    assignment: Assignment,
    parameter: str,
    value: str,
    score: float,
    params: Callable[[ExerciseVersion, int], Mapping[str, Any]] = instance_params,
) -> list[FamilyChange]:
    """What `family_rescore` would change: every student whose graded instance is in the
    family `parameter = value` (gradebook/fairness.py), by username."""
    ids = family_students(assignment=assignment, parameter=parameter, value=value, params=params)
    changes = []
    for student in User.objects.filter(pk__in=ids).order_by("username"):
        before = student_result(assignment=assignment, student=student).score
        raised = before is None or before < score - EPSILON
        changes.append(FamilyChange(student, before, score if raised else None))
    return changes


@transaction.atomic
def family_rescore(
    *,
    assignment: Assignment,
    parameter: str,
    value: str,
    score: float,
    reason: str,
    created_by: User,
    params: Callable[[ExerciseVersion, int], Mapping[str, Any]] = instance_params,
) -> list[ScoreOverride]:
    """Re-score a family of instances found harder than the others: each of its students whose
    result is below `score` gets it, as a score override (with its audit row: who, when, why,
    the score before), so the family's students are not penalised for the instance they drew.
    A result already at or above `score` stays. Raises OverrideInvalid as an override would.
    """
    why = f"instance family {parameter} = {value} re-scored: {reason.strip()}"
    check_score(assignment, score)
    if not reason.strip():
        raise OverrideInvalid("give a reason: it is kept in the audit log", field="reason")
    if len(why) > OVERRIDE_REASON_MAX:
        raise OverrideInvalid(
            f"the reason is too long: at most {OVERRIDE_REASON_MAX - len(why) + len(reason)} "
            "characters",
            field="reason",
        )
    changes = family_rescore_preview(
        assignment=assignment, parameter=parameter, value=value, score=score, params=params
    )
    return [
        score_override_create(
            assignment=assignment,
            student=change.student,
            score=score,
            reason=why,
            created_by=created_by,
        )
        for change in changes
        if change.after is not None
    ]

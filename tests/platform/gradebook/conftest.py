"""Helpers for the gradebook's tests: graded submissions with a chosen score and date."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import User
from catalog.models import Exercise
from submissions.models import RegradeBatch, Submission
from tests.platform.conftest import make_submission


def graded(
    user: User,
    exercise: Exercise,
    score: float | None,
    *,
    at: datetime | None = None,
    **fields: Any,
) -> Submission:
    """A graded submission, done with `score` out of the exercise's points (unless `fields`
    say otherwise), created at `at` (created_at is auto_now_add: set after the insert)."""
    defaults: dict[str, Any] = {
        "status": Submission.Status.DONE,
        "score": score,
        "max_score": exercise.points,
        "verdict": "accepted" if score == exercise.points else "rejected",
    }
    submission = make_submission(user, exercise, **{**defaults, **fields})
    if at is not None:
        Submission.objects.filter(pk=submission.pk).update(created_at=at)
        submission.created_at = at
    return submission


def regraded(
    original: Submission, batch: RegradeBatch, score: float | None, **fields: Any
) -> Submission:
    """A finished regrade of `original` in `batch`."""
    defaults: dict[str, Any] = {
        "status": Submission.Status.DONE,
        "score": score,
        "max_score": original.max_score,
        "verdict": "accepted" if score == original.max_score else "rejected",
        "course": None,
        "attempt": None,
    }
    return make_submission(
        original.user,
        original.exercise,
        regrade_of=original,
        regrade_batch=batch,
        **{**defaults, **fields},
    )


def batch_for(original: Submission, *, applied: bool = False, **fields: Any) -> RegradeBatch:
    from django.utils import timezone

    return RegradeBatch.objects.create(
        course=original.course,
        exercise=original.exercise,
        version_id=original.version_id,
        applied_at=timezone.now() if applied else None,
        **fields,
    )

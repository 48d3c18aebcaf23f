"""`effective_score_changed`: a student's effective score on an assignment may have changed.

Sent wherever a score of submissions/scores.py can move: a grading stored
(submissions.lifecycle), a regrade batch applied (gradebook.services), a score set by hand
(submissions.overrides), rubric points ticked (reviews.services). Changes made in `courses` (extensions, an assignment's
late rules, exam-mode release dates) cannot send it, since courses sits below submissions in the
layers of pyproject.toml: a receiver that cares listens to those models' own post_save.

Receivers (the LTI app passes scores back to an LMS) must be cheap and must never fail the
sender: `announce` sends robustly and logs a receiver's error. A receiver called inside the
sender's transaction sees its writes, and work it defers with `transaction.on_commit` happens
only if that transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.dispatch import Signal

from courses.models import Assignment
from submissions.models import RegradeBatch, Submission

logger = logging.getLogger(__name__)

# Keyword arguments: assignment_id (int), student_id (int).
effective_score_changed = Signal()


def announce(*, sender: Any, assignment_id: int, student_ids: Iterable[int]) -> None:
    """Send `effective_score_changed` once per student; a failing receiver is logged, never
    raised into the sender (a grading must be stored whatever an LMS connector does)."""
    if not effective_score_changed.has_listeners():
        return
    for student_id in sorted(set(student_ids)):
        for receiver, result in effective_score_changed.send_robust(
            sender=sender, assignment_id=assignment_id, student_id=student_id
        ):
            if isinstance(result, Exception):
                logger.error(
                    "effective_score_changed receiver %r failed for assignment %s, student %s",
                    receiver,
                    assignment_id,
                    student_id,
                    exc_info=result,
                )


def announce_submission(*, sender: Any, submission_id: int) -> None:
    """`announce` for the student and assignment of one original graded submission in a course
    (a practice run, a self-test or a regrade row changes no effective score by itself)."""
    if not effective_score_changed.has_listeners():
        return
    row = (
        Submission.objects.filter(
            pk=submission_id,
            mode=Submission.Mode.GRADED,
            regrade_of__isnull=True,
            course__isnull=False,
        )
        .values("course_id", "exercise_id", "user_id")
        .first()
    )
    if row is None:
        return
    assignment_id = (
        Assignment.objects.filter(course_id=row["course_id"], exercise_id=row["exercise_id"])
        .values_list("pk", flat=True)
        .first()
    )
    if assignment_id is not None:
        announce(sender=sender, assignment_id=assignment_id, student_ids=[row["user_id"]])


def announce_batch(*, sender: Any, batch_id: int) -> None:
    """`announce` for every student whose submissions a regrade batch re-scored."""
    if not effective_score_changed.has_listeners():
        return
    batch = RegradeBatch.objects.filter(pk=batch_id).values("course_id", "exercise_id").first()
    if batch is None:
        return
    assignment_id = (
        Assignment.objects.filter(course_id=batch["course_id"], exercise_id=batch["exercise_id"])
        .values_list("pk", flat=True)
        .first()
    )
    students = Submission.objects.filter(regrade_batch_id=batch_id).values_list(
        "user_id", flat=True
    )
    if assignment_id is not None:
        announce(sender=sender, assignment_id=assignment_id, student_ids=students)

"""Publishing a submission's grading message: after commit, counted, with one retry policy."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from core.queues import PUBLISH_RETRY_POLICY
from submissions.models import Submission

GRADING_QUEUE = "grading"
REGRADE_QUEUE = "regrade"


def enqueue_on_commit(submission_id: int, queue: str, *, counted: bool = False) -> None:
    # After commit, so a worker never looks for a row it cannot see yet. `robust`: if the broker
    # is down the request still succeeds; the row is saved as queued and the sweeper publishes
    # it again later.
    transaction.on_commit(
        lambda: enqueue_grading(submission_id, queue=queue, counted=counted), robust=True
    )


def enqueue_grading(
    submission_id: int, *, queue: str = GRADING_QUEUE, counted: bool = False
) -> None:
    """Publish the grading message and count it in `enqueue_count` (the sweeper's back-off).

    `counted`: the row was saved with this publication already counted.
    """
    from submissions.tasks import grade_submission  # the tasks import this module

    try:
        grade_submission.apply_async(
            (submission_id,),
            queue=queue,
            # Fail fast when the broker is away: the sweeper is the retry.
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except Exception:
        if counted:
            Submission.objects.filter(pk=submission_id).update(enqueue_count=F("enqueue_count") - 1)
        raise
    if not counted:
        Submission.objects.filter(pk=submission_id).update(enqueue_count=F("enqueue_count") + 1)

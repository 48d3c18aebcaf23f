"""Rescuing submissions stuck on their way: a worker that died mid-grade, a message lost."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from core.claims import SWEEP_BATCH
from submissions import queue
from submissions.lifecycle import WORK, process_alive
from submissions.models import Submission

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    requeued_running: list[int] = field(default_factory=list)
    republished_queued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _requeue_or_fail(
    still_stuck: QuerySet[Submission],
    pk: int,
    requeues: int,
    regrade_of: int | None,
    now: datetime,
) -> str | None:
    """A running row whose grader died goes back to the queue (published again), or to error
    after SWEEP_MAX_REQUEUES rescues: a submission that keeps killing workers must not loop
    forever. `still_stuck` is the conditional UPDATE's filter. None if someone else moved it."""
    if requeues >= settings.SWEEP_MAX_REQUEUES:
        if still_stuck.update(
            status=Submission.Status.ERROR,
            message=(
                f"Could not be graded: the grader stopped {requeues + 1} times while "
                "grading it. You can try again."
            ),
            finished_at=now,
            claim_token=None,
        ):
            return "failed"
        return None
    if still_stuck.update(
        status=Submission.Status.QUEUED,
        queued_at=now,
        claim_token=None,
        requeue_count=F("requeue_count") + 1,
    ):
        queue.enqueue_grading(pk, queue=queue.REGRADE_QUEUE if regrade_of else queue.GRADING_QUEUE)
        return "requeued"
    return None


def submissions_reclaim_for_node(*, worker: str) -> list[int]:
    """At a worker's start: take back what this Celery node was grading when it died.

    A worker killed whole (SIGKILL, the OOM killer, a reboot) leaves its rows `running`, and
    Redis redelivers its unacknowledged messages only after the visibility timeout (an hour).
    Started again under the same node name (systemd, a container restart), it re-queues them
    at once instead of leaving them to the sweeper (SWEEP_RUNNING_AFTER, minutes). A row whose
    process is alive is left alone: another worker with the same name on this machine, or a
    pid already reused (then the sweeper rescues it as before). Returns the re-queued ids.
    """
    now = timezone.now()
    requeued = []
    rows = Submission.objects.filter(
        status=Submission.Status.RUNNING, worker=worker[:200]
    ).values_list("pk", "worker_pid", "claim_token", "requeue_count", "regrade_of_id")
    for pk, pid, token, requeues, regrade_of in rows[:SWEEP_BATCH]:
        if pid is None or process_alive(pid):
            continue
        still_stuck = WORK.held(pk, token)
        if _requeue_or_fail(still_stuck, pk, requeues, regrade_of, now) == "requeued":
            requeued.append(pk)
    if requeued:
        logger.warning(
            "worker %s restarted: re-queued %d submissions it was grading", worker, len(requeued)
        )
    return requeued


def submissions_sweep(*, now: datetime | None = None) -> SweepResult:
    """Rescue submissions stuck on their way (run by celery beat every SWEEP_INTERVAL s).

    - running past SWEEP_RUNNING_AFTER: its worker died (the task's hard time limit is shorter,
      settings check that), so it goes back to queued and is published again; after
      SWEEP_MAX_REQUEUES such rescues it is marked error (a submission that keeps killing
      workers must not loop forever).
    - queued past SWEEP_QUEUED_AFTER: its message may be lost (broker restarted, publish
      failed), so it is published again, with a doubling delay between republications.
      A duplicate message is harmless: only one delivery can claim the row.
    """
    now = now or timezone.now()
    result = SweepResult()
    running_cutoff = now - timedelta(seconds=settings.SWEEP_RUNNING_AFTER)
    stuck_running = WORK.running_since(running_cutoff).values_list(
        "pk", "requeue_count", "regrade_of_id"
    )[:SWEEP_BATCH]
    for pk, requeues, regrade_of in stuck_running:
        still_stuck = WORK.running_since(running_cutoff).filter(pk=pk)
        outcome = _requeue_or_fail(still_stuck, pk, requeues, regrade_of, now)
        if outcome == "failed":
            result.failed.append(pk)
        elif outcome == "requeued":
            result.requeued_running.append(pk)

    def backoff(row: tuple[int, datetime, int, int | None]) -> float:
        # While the workers are down for an hour, do not pile up a copy of every message per
        # sweep: wait 1, 2, 4 ... 32 deadlines between republications.
        published = row[2]
        return settings.SWEEP_QUEUED_AFTER * min(2 ** max(published - 1, 0), 32)

    def publish(pk: int, row: tuple[int, datetime, int, int | None]) -> None:
        regrade_of = row[3]
        queue.enqueue_grading(pk, queue=queue.REGRADE_QUEUE if regrade_of else queue.GRADING_QUEUE)

    result.republished_queued = WORK.republish_queued(
        now=now,
        after=settings.SWEEP_QUEUED_AFTER,
        publish=publish,
        backoff=backoff,
        fields=("enqueue_count", "regrade_of_id"),
    )
    if result.requeued_running or result.republished_queued or result.failed:
        logger.warning(
            "sweeper: %d running re-queued, %d queued republished, %d failed",
            len(result.requeued_running),
            len(result.republished_queued),
            len(result.failed),
        )
    return result

"""A submission's way through the worker, one conditional UPDATE per step.

Every state change is a conditional UPDATE on the row (`filter(id=..., status=...)`), never a
read-modify-save: two deliveries of the same message, a sweeper and a slow worker can all race
on one row, and the database decides who wins. Only the task run that claimed a row (its
`claim_token`) may store a result, so a submission is graded into the gradebook exactly once.
"""

from __future__ import annotations

import logging
import os
import uuid

from django.db.models import F
from django.utils import timezone

from core.claims import ClaimColumns
from core.prepared import PreparedUpdate
from graders.report import Report, Verdict
from submissions.models import Submission
from submissions.signals import announce_submission

logger = logging.getLogger(__name__)


# A submission's claim columns (core/claims.py: one way of claiming work, shared with the
# validations of drafts).
WORK = ClaimColumns(
    model=Submission,
    state="status",
    queued=Submission.Status.QUEUED,
    running=Submission.Status.RUNNING,
    token="claim_token",
    started_at="started_at",
    queued_at="queued_at",
)


def submission_claim(*, submission_id: int, worker: str = "") -> uuid.UUID | None:
    """queued -> running, for exactly one caller. Returns the claim token, or None if another
    delivery already claimed it (or it is done): then the caller must do nothing."""
    token = uuid.uuid4()
    updated = _CLAIM.run(
        values={
            **WORK.claim_values(token, timezone.now()),
            "worker": worker[:200],
            "worker_pid": os.getpid(),
        },
        increment={"claim_count": 1},
        where={"id": submission_id, WORK.state: WORK.queued},
    )
    # Nothing got updated: another delivery got there first.
    return token if updated == 1 else None


# The two writes of every grading, prepared (core/prepared.py): compiling each UPDATE cost
# more CPU than the rest of the task's database work. The same columns as WORK's claim.
_CLAIM = PreparedUpdate(
    Submission,
    assign=(WORK.state, WORK.token, WORK.started_at, "worker", "worker_pid"),
    increment=("claim_count",),
    where=("id", WORK.state),
)
_STORE = PreparedUpdate(
    Submission,
    assign=(
        "status", "verdict", "score", "max_score", "report", "message", "finished_at",
        "claim_token",
    ),
    increment=("graded_count",),
    where=("id", WORK.state, WORK.token),
)  # fmt: skip


def submission_reclaim_orphan(*, submission_id: int, worker: str) -> uuid.UUID | None:
    """running -> running under a new claim, when the process holding it is dead.

    A pool process killed mid-grade (SIGKILL, the OOM killer) makes Celery deliver its message
    again at once (`reject_on_worker_lost`), to the same worker; the row is still `running`
    under the dead process's claim. Without this, the new delivery would do nothing and the
    student would wait for the sweeper (SWEEP_RUNNING_AFTER, minutes). Only a holder on this
    same Celery node can be checked (its pid is ours to probe); others are the sweeper's.
    The conditional update on the old claim token lets one delivery take it, and makes the
    dead holder's result, if it ever came, be dropped rather than stored twice.
    """
    row = (
        Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING)
        .values_list("worker", "worker_pid", "claim_token")
        .first()
    )
    if row is None:
        return None
    holder, pid, old_token = row
    if not worker or holder != worker[:200] or pid is None or process_alive(pid):
        return None
    token = uuid.uuid4()
    updated = WORK.held(submission_id, old_token).update(
        started_at=timezone.now(),
        claim_token=token,
        claim_count=F("claim_count") + 1,
        requeue_count=F("requeue_count") + 1,
        worker_pid=os.getpid(),
    )
    if updated == 1:
        logger.warning(
            "submission %s: its grader process %s died; grading it again", submission_id, pid
        )
    return token if updated == 1 else None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    # A killed process whose parent died too is a zombie until init reaps it, which some
    # container inits never do: it answers signals but grades nothing.
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b") ", 1)[1][:1]
    except (OSError, IndexError):
        return True  # no /proc to ask: assume alive (the sweeper remains)
    return state not in (b"Z", b"X")


def submission_store_report(*, submission_id: int, token: uuid.UUID, report: Report) -> bool:
    """running -> done with the report, only for the claim holder. False if the claim was lost
    (the sweeper gave the row to another worker): the result is then dropped, not stored twice.
    """
    data = report.to_dict()
    internal = report.verdict is Verdict.INTERNAL_ERROR
    updated = _STORE.run(
        values={
            # An internal error is the platform's failure, not a grade: status error, retryable.
            "status": Submission.Status.ERROR if internal else Submission.Status.DONE,
            "verdict": report.verdict.value,
            # No score for "could not be graded": 0 / 10 on a page would read as a grade.
            "score": None if internal else report.score,
            "max_score": None if internal else report.max_score,
            "report": data,
            "message": report.message,
            "finished_at": timezone.now(),
            "claim_token": None,
        },
        increment={"graded_count": 0 if internal else 1},
        where={"id": submission_id, WORK.state: WORK.running, WORK.token: token},
    )
    if updated != 1:
        logger.warning("submission %s: claim lost before the result was stored", submission_id)
    elif not internal:
        announce_submission(sender=Submission, submission_id=submission_id)
    return updated == 1


def submission_release(*, submission_id: int, token: uuid.UUID) -> bool:
    """running -> queued for the claim holder, before it retries after an infrastructure error."""
    return (
        WORK.held(submission_id, token).update(
            status=Submission.Status.QUEUED, queued_at=timezone.now(), claim_token=None
        )
        == 1
    )


def submission_fail(*, submission_id: int, token: uuid.UUID | None, message: str) -> bool:
    """-> error with a message the student can read (they can ask for a retry)."""
    qs = Submission.objects.filter(pk=submission_id)
    qs = qs.filter(claim_token=token) if token else qs.filter(status=Submission.Status.QUEUED)
    return (
        qs.exclude(status=Submission.Status.DONE).update(
            status=Submission.Status.ERROR,
            message=message,
            finished_at=timezone.now(),
            claim_token=None,
        )
        == 1
    )


# -- the sweeper -----------------------------------------------------------------------------

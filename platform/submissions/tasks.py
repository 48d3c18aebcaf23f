"""Celery tasks: grade one submission; sweep the stuck ones.

The grading task is thin: claim the row, call the engine, store the report. It is safe to run
twice for the same id (a redelivered message, a sweeper's republication): the second claim
finds the row no longer queued and returns without doing anything.

The worker never runs student code itself: `graders.engine` hands each submission to sandboxed
grader processes (docs/architecture.md#the-sandbox), started when the worker's pool process starts.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any

from celery import Task, shared_task
from celery.signals import (
    task_prerun,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
)
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from catalog.selectors import engine_exercise
from catalog.services import exercise_alert_raise
from courses.services import alert_notify_instructors
from graders.report import Report, Verdict
from graders.sandbox.harden import set_session_priority
from submissions.lifecycle import (
    submission_claim,
    submission_fail,
    submission_reclaim_orphan,
    submission_release,
    submission_store_report,
)
from submissions.models import Submission
from submissions.queue import GRADING_QUEUE, REGRADE_QUEUE
from submissions.selectors import submission_for_grading
from submissions.sweeper import submissions_reclaim_for_node, submissions_sweep

logger = logging.getLogger(__name__)

COULD_NOT_GRADE = (
    "Could not be graded: the grading service failed, not your submission. "
    "It was tried {tries} times; you can try again."
)


class GradingFailed(Exception):
    """The engine answered "internal error": handled like any infrastructure failure below."""


def _grade(submission: Submission) -> Report:
    from graders.engine import get_grader  # imported here: the web process never loads it

    exercise = engine_exercise(submission.version)
    content = submission.code if exercise.kind == "code" else submission.answer
    return get_grader().grade(
        exercise,
        content,
        seed=submission.seed,
        visible_only=submission.visible_only,
    )


def _students_go_first(task: Task, submission_id: int) -> bool:
    """A regrade steps back while students' submissions wait: it is published again, delayed.

    The worker consumes both queues; without this, a regrade of 300 submissions would take
    every worker slot for seconds while students wait. A student's submission now waits for
    at most the one regrade already running. If the re-publication is lost (broker down), the
    row is still queued and the sweeper republishes it.
    """
    delivery = task.request.delivery_info or {}
    if delivery.get("routing_key") != REGRADE_QUEUE:
        return False
    waiting = Submission.objects.filter(
        status=Submission.Status.QUEUED, regrade_of__isnull=True
    ).exists()
    if waiting:
        grade_submission.apply_async((submission_id,), queue=REGRADE_QUEUE, countdown=1)
    return waiting


def _alert_instructors(submission: Submission, report: Report) -> None:
    try:
        alert, created = exercise_alert_raise(
            version=submission.version,
            message="\n".join(report.warnings) or report.message,
        )
        if created:
            alert_notify_instructors(alert=alert)
    except Exception:  # the alert is a courtesy; storing the student's result is not
        logger.exception("submission %s: could not record the exercise alert", submission.pk)


def _retry_or_fail(task: Task, submission_id: int, token: uuid.UUID, exc: BaseException) -> Any:
    retries = task.request.retries
    if retries < task.max_retries:
        # Give the row back first: if the retry message is lost, the sweeper finds a queued row.
        submission_release(submission_id=submission_id, token=token)
        delivery = task.request.delivery_info or {}
        raise task.retry(
            exc=exc,
            countdown=min(2**retries, 30),
            queue=delivery.get("routing_key") or GRADING_QUEUE,
        )
    submission_fail(
        submission_id=submission_id, token=token, message=COULD_NOT_GRADE.format(tries=retries + 1)
    )
    return "failed"


@shared_task(
    bind=True,
    name="submissions.tasks.grade_submission",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.GRADING_MAX_RETRIES,
)
def grade_submission(self: Task, submission_id: int) -> str:
    if _students_go_first(self, submission_id):
        return "deferred"
    worker = self.request.hostname or ""
    try:
        token = submission_claim(submission_id=submission_id, worker=worker) or (
            submission_reclaim_orphan(submission_id=submission_id, worker=worker)
        )
    except (OperationalError, InterfaceError) as exc:  # the database is away: try later
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 30)) from exc
    if token is None:
        return "skipped"  # a duplicate delivery, or already graded: do nothing at all

    try:
        submission = submission_for_grading(submission_id)
        report = _grade(submission)
        if report.fault == "exercise":
            # The exercise's own reference failed: deterministic, so not retried. The student
            # gets "could not be graded" (no attempt used); the instructors get an alert.
            _alert_instructors(submission, report)
        elif report.verdict is Verdict.INTERNAL_ERROR and self.request.retries < self.max_retries:
            # The engine already re-ran it once on a fresh sandbox; another worker might fare
            # better. Never a verdict against the student: after the last try the report is
            # stored with status error (see submission_store_report), and they can retry.
            raise GradingFailed(report.message or "internal error")
    except Exception as exc:  # infrastructure: the engine or the database, never the student
        logger.exception("submission %s: grading failed", submission_id)
        return _retry_or_fail(self, submission_id, token, exc)

    stored = _store_with_patience(submission_id, token, report)
    return report.verdict.value if stored else "claim-lost"


STORE_PATIENCE_SECONDS = 60.0


def _store_with_patience(submission_id: int, token: uuid.UUID, report: Report) -> bool:
    """Store the report, waiting out a database that is briefly away (restart, failover).

    The grading is done and may have cost seconds: keep the result rather than grade again.
    If the database stays away longer, the exception ends the task; the row is still
    `running`, and the sweeper re-queues it once the database is back (graded once: the
    result was never stored).
    """
    deadline = time.monotonic() + STORE_PATIENCE_SECONDS
    pause = 0.5
    while True:
        try:
            return submission_store_report(submission_id=submission_id, token=token, report=report)
        except (OperationalError, InterfaceError):
            if time.monotonic() + pause > deadline:
                raise
            logger.warning("submission %s: database unavailable, storing again", submission_id)
            connection.close()  # a broken connection is not reused by the next try
            time.sleep(pause)
            pause = min(pause * 2, 8.0)


@shared_task(name="submissions.tasks.sweep_stuck_submissions", ignore_result=True)
def sweep_stuck_submissions() -> dict[str, int]:
    result = submissions_sweep()
    return {
        "requeued_running": len(result.requeued_running),
        "republished_queued": len(result.republished_queued),
        "failed": len(result.failed),
    }


# -- the grader's lifetime in a worker process -------------------------------------------------
_grader_started = False


@worker_init.connect
def lower_priority(**_: object) -> None:
    """The whole worker (its pool processes and graders inherit it) yields the CPU to the web."""
    if settings.WORKER_NICE <= 0:
        return
    try:
        os.nice(settings.WORKER_NICE)
    except OSError:
        logger.warning("could not lower the worker's priority (WORKER_NICE)")
    # A worker that leads its own session (make run, systemd, a container's init) is also its
    # own scheduling group under autogroup: only the group's weight counts against the web.
    leader = os.getsid(0) == os.getpid()
    if leader and not set_session_priority(settings.WORKER_NICE, attempts=5):
        logger.info("autogroup priority not set (kernel without autogroup, or refused)")


@task_prerun.connect
def database_connections_as_in_a_request(task: Any = None, **_: object) -> None:
    """A task is a request: an old or failed connection is closed, a kept one is checked once
    (CONN_HEALTH_CHECKS) before use. Celery's own closing is mostly off (CELERY_DB_REUSE_MAX).
    Not for a task run in the caller's process (`apply()`), maybe inside its transaction."""
    request = getattr(task, "request", None)
    if not getattr(request, "is_eager", False):
        close_old_connections()


@worker_ready.connect
def reclaim_after_restart(sender: Any = None, **_: object) -> None:
    """What this node was grading when it was killed is graded again now, not in minutes."""
    hostname = getattr(sender, "hostname", "") or ""
    try:
        submissions_reclaim_for_node(worker=hostname)
    except Exception:  # the sweeper remains the safety net
        logger.exception("could not re-queue the submissions of the previous run of %s", hostname)


@worker_process_init.connect
def start_grader(**_: object) -> None:
    """Start the sandbox's zygote when a pool process starts, not on its first submission."""
    global _grader_started
    try:
        from graders.engine import get_grader

        # The zygotes (numpy, torch, sympy) would start on first use; start them now (~3 s, mostly
        # `import torch`). CELERY_WORKER_PROC_ALIVE_TIMEOUT leaves room for it.
        get_grader().start()
        _grader_started = True
    except Exception:  # the first task will try again and report a clear error
        logger.exception("could not start the grader at worker start-up")


@worker_process_shutdown.connect
def stop_grader(**_: object) -> None:
    if not _grader_started:
        return
    try:
        from graders.engine import get_grader

        get_grader().close()
    except Exception:
        logger.exception("could not stop the grader cleanly")

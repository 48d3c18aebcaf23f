"""Writes for submissions: creating one, and every step of its way through the queue.

Every state change is a conditional UPDATE on the row (`filter(id=..., status=...)`), never a
read-modify-save: two deliveries of the same message, a sweeper and a slow worker can all race
on one row, and the database decides who wins. Only the task run that claimed a row (its
`claim_token`) may store a result, so a submission is graded into the gradebook exactly once.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import redis
from accounts.models import User
from catalog.models import Exercise, PracticeInstance
from config.prepared import PreparedUpdate
from courses.models import Assignment, Course
from courses.selectors import assignment_for, courses_of_student, exercise_is_visible
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from graders.report import Report, Verdict
from submissions.models import RegradeBatch, Submission
from submissions.rules import (  # re-exported: callers import them from here
    counted_attempts,
    practice_refusal,
    seed_for,
    solution_opened_at,
)

logger = logging.getLogger(__name__)

GRADING_QUEUE = "grading"
REGRADE_QUEUE = "regrade"


class SubmissionError(Exception):
    """A submission refused before it was saved; `status` is the HTTP status that fits."""

    status = 400
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SubmissionTooLarge(SubmissionError):
    status = 413
    code = "too_large"


class AttemptsExhausted(SubmissionError):
    status = 403
    code = "no_attempts_left"


class NotAssigned(SubmissionError):
    status = 403
    code = "not_assigned"


class DeadlinePassed(SubmissionError):
    status = 403
    code = "deadline_passed"


class PracticeClosed(SubmissionError):
    """A practice run that would answer for the student's graded instance (submissions.rules)."""

    status = 403
    code = "practice_closed"


class SolutionOpened(SubmissionError):
    status = 403
    code = "solution_opened"


class CourseRequired(SubmissionError):
    """A student in several courses sent a graded submission without naming the course."""

    code = "course_required"


class RateLimited(SubmissionError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# -- creating --------------------------------------------------------------------------------
@transaction.atomic
def practice_instance_next(*, user: User, exercise: Exercise) -> int:
    """Move the student to a new practice instance ("another one"); returns its number."""
    row, _ = PracticeInstance.objects.select_for_update().get_or_create(
        user=user, exercise=exercise
    )
    PracticeInstance.objects.filter(pk=row.pk).update(number=F("number") + 1)
    row.refresh_from_db()
    return row.number


def _check_content(exercise: Exercise, code: str | None, answer: str | None) -> tuple[str, str]:
    if exercise.kind == Exercise.Kind.CODE:
        if answer is not None:
            raise SubmissionError(f"{exercise.slug} is a code exercise: send code, not answer")
        if code is None or not code.strip():
            raise SubmissionError("code is empty")
        size, limit = len(code.encode("utf-8")), settings.MAX_CODE_BYTES
        if size > limit:
            raise SubmissionTooLarge(f"code is {size} bytes; the limit is {limit} bytes")
        return code, ""
    if code is not None:
        raise SubmissionError(f"{exercise.slug} is a math exercise: send answer, not code")
    if answer is None or not answer.strip():
        raise SubmissionError("answer is empty")
    size, limit = len(answer.encode("utf-8")), settings.MAX_ANSWER_BYTES
    if size > limit:
        raise SubmissionTooLarge(f"answer is {size} bytes; the limit is {limit} bytes")
    return "", answer


def rate_limit_hit(
    key: str, *, limit: int, window: int, clock: Callable[[], float] = time.time
) -> int | None:
    """Count one hit in a fixed window; None if allowed, else the seconds until the next window.

    The counter lives in the Django cache (Redis in production), so it is shared by every web
    process. A fixed window may let up to twice the limit through across a window boundary,
    which is fine for keeping the grader from being used as an oracle.
    """
    now = clock()
    bucket = int(now // window)
    cache_key = f"ratelimit:{key}:{bucket}"
    try:
        count = _count_hit(cache_key, ttl=window + 1)
    except Exception:
        # Fail open: while Redis restarts, a submission is saved (and graded once the broker
        # is back, by the sweeper) rather than refused with an error.
        logger.warning("rate limit unavailable (cache down); letting %s through", key)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((bucket + 1) * window - now))


def _count_hit(cache_key: str, *, ttl: int) -> int:
    """Add one to the window's counter and return it (atomic)."""
    backend = caches["default"]  # the backend itself: `cache` is a proxy to it
    if isinstance(backend, RedisCache):
        # One round trip (INCR creates the key at 1) instead of the three that the cache API's
        # add + incr cost on Redis: this runs on every submission of a deadline rush. The
        # window's key expires from its first hit; were that EXPIRE lost (a crash in between),
        # the key would only outlive its own window, which no later hit uses again.
        key = backend.make_and_validate_key(cache_key)
        client = _redis_client(backend)
        count = int(client.incr(key))
        if count == 1:
            client.expire(key, ttl)
        return count
    cache.add(cache_key, 0, timeout=ttl)
    try:
        return cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=ttl)
        return 1


@functools.lru_cache(maxsize=64)  # Django keeps one cache backend per thread
def _redis_client(backend: RedisCache) -> redis.Redis:
    """One client per cache backend, drawing from its connection pool. Django's cache builds
    a new client object for every call, which costs more CPU than the round trip itself."""
    return backend._cache.get_client(write=True)


def submission_create(
    *,
    user: User,
    exercise: Exercise,
    code: str | None = None,
    answer: str | None = None,
    mode: str = Submission.Mode.GRADED,
    course: Course | None = None,
    visible_only: bool = False,
) -> Submission:
    """Save a submission as queued and enqueue its grading once the transaction commits.

    A graded submission needs the exercise published in one of the student's courses (`course`
    picks which); it then follows that assignment's deadline, late policy and attempts. Practice
    is open on any exercise the student can see and never counts. `visible_only` (practice
    only) runs the visible cases and nothing else.

    Raises SubmissionError (400), SubmissionTooLarge (413), NotAssigned, DeadlinePassed,
    AttemptsExhausted (403) or RateLimited (429). Nothing is graded here: the web process never
    runs the engine.
    """
    if mode not in Submission.Mode.values:
        raise SubmissionError(f"mode must be one of {', '.join(Submission.Mode.values)}")
    if mode == Submission.Mode.GRADED and course is None:
        _check_single_course(user)
    assignment = assignment_for(user=user, exercise=exercise, course=course)
    # An assignment proves the student may see the exercise; without one, ask. (The API's
    # endpoint relies on this check instead of a separate visibility query per submission.)
    if assignment is None and not exercise_is_visible(user=user, exercise=exercise):
        raise Http404(f"no exercise {exercise.slug!r}")
    if not exercise.is_active or exercise.current_version_id is None:
        raise SubmissionError(f"{exercise.slug} is not open for submissions")
    if visible_only and mode != Submission.Mode.PRACTICE:
        raise SubmissionError("only practice runs can run the visible tests alone")
    code_text, answer_text = _check_content(exercise, code, answer)
    if mode == Submission.Mode.GRADED:
        _check_open_for_grading(user, exercise, assignment)
    elif refusal := practice_refusal(user=user, exercise=exercise, visible_only=visible_only):
        raise PracticeClosed(refusal)
    # Practice runs have their own, separate budget: a student iterating on the visible tests
    # must not lose the right to submit, and the grader must not become an oracle either.
    limit, window = (
        settings.PRACTICE_RATE if mode == Submission.Mode.PRACTICE else settings.SUBMISSION_RATE
    )
    retry_after = rate_limit_hit(f"{mode}:{user.pk}", limit=limit, window=window)
    if retry_after is not None:
        what = "practice runs" if mode == Submission.Mode.PRACTICE else "submissions"
        raise RateLimited(
            f"too many {what}: at most {limit} per {window} s; try again in {retry_after} s",
            retry_after,
        )
    return _submission_save(
        user=user,
        exercise=exercise,
        code=code_text,
        answer=answer_text,
        mode=mode,
        assignment=assignment,
        # Practice counts in the course it was made in (None: self-test), never another one.
        course=assignment.course if assignment and mode == Submission.Mode.GRADED else course,
        visible_only=visible_only,
    )


def _check_single_course(user: User) -> None:
    """A graded submission must say which course it counts in when the student has several:
    a silent pick could put it in a course they never meant (issue: no silent default)."""
    slugs = list(courses_of_student(user).values_list("slug", flat=True)[:20])
    if len(slugs) > 1:
        raise CourseRequired(
            "you are a student in several courses: say which one this submission counts in "
            f'("course": one of {", ".join(slugs)})'
        )


def _check_open_for_grading(user: User, exercise: Exercise, assignment: Assignment | None) -> None:
    if assignment is None:
        raise NotAssigned(
            f"{exercise.slug} is not assigned to you in any of your courses: "
            "practice (self-test) is open, graded submissions are not"
        )
    if assignment.late_policy == Assignment.LatePolicy.PRACTICE_ONLY and assignment.is_past_due():
        due = timezone.localtime(assignment.due_at).strftime("%Y-%m-%d %H:%M")
        raise DeadlinePassed(
            f"the deadline ({due}) has passed: practice mode is still open, "
            "graded submissions are closed"
        )
    if opened := solution_opened_at(user=user, exercise=exercise):
        day = timezone.localtime(opened).strftime("%Y-%m-%d %H:%M")
        raise SolutionOpened(
            f"you opened the worked solution ({day}): graded attempts on this exercise are over "
            "(practice mode is still open)"
        )


@transaction.atomic
def _submission_save(
    *,
    user: User,
    exercise: Exercise,
    code: str,
    answer: str,
    mode: str,
    assignment: Assignment | None,
    course: Course | None,
    visible_only: bool,
) -> Submission:
    attempt = None
    if mode == Submission.Mode.GRADED:
        assert assignment is not None  # checked by the caller
        # Lock the student's row: two simultaneous submissions must not both see "one attempt
        # left". SQLite has no row locks (Django would send a plain SELECT): its IMMEDIATE
        # transactions already serialise writers, so the query is skipped there.
        if connection.features.has_select_for_update:
            list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        used = counted_attempts(user=user, exercise=exercise, course=assignment.course)
        if assignment.max_attempts is not None and used >= assignment.max_attempts:
            raise AttemptsExhausted(
                f"no attempts left: {assignment.max_attempts} graded attempts allowed "
                "(practice mode is still open)"
            )
        attempt = used + 1
    now = timezone.now()
    submission = Submission.objects.create(
        user=user,
        exercise=exercise,
        version=exercise.current_version,  # already loaded: the response needs its hash
        mode=mode,
        course=course,
        visible_only=visible_only,
        code=code,
        answer=answer,
        seed=seed_for(user=user, exercise=exercise, mode=mode),
        attempt=attempt,
        status=Submission.Status.QUEUED,
        queued_at=now,
        # Counts the publication about to happen after the commit (one UPDATE fewer per
        # submission); enqueue_grading takes it back if the broker refuses it.
        enqueue_count=1,
    )
    _enqueue_on_commit(submission.pk, GRADING_QUEUE, counted=True)
    return submission


def _enqueue_on_commit(submission_id: int, queue: str, *, counted: bool = False) -> None:
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
    from submissions.tasks import grade_submission

    try:
        grade_submission.apply_async(
            (submission_id,),
            queue=queue,
            # Fail fast when the broker is away: the sweeper is the retry.
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.5},
        )
    except Exception:
        if counted:
            Submission.objects.filter(pk=submission_id).update(enqueue_count=F("enqueue_count") - 1)
        raise
    if not counted:
        Submission.objects.filter(pk=submission_id).update(enqueue_count=F("enqueue_count") + 1)


@transaction.atomic
def submission_retry(*, submission: Submission) -> bool:
    """Queue again a submission that could not be graded (status error). False if not in error.

    A student's own submission is graded against the exercise's *current* version: the usual
    cause of "could not be graded" is a broken exercise, and its fix is a new version (the
    report names the version it was graded on). A regrade keeps its batch's version.
    """
    version_id = submission.version_id
    if submission.regrade_batch_id is None and submission.exercise.current_version_id:
        version_id = submission.exercise.current_version_id
    updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.ERROR).update(
        version_id=version_id,
        status=Submission.Status.QUEUED,
        queued_at=timezone.now(),
        verdict="",
        message="",
        requeue_count=0,
        claim_token=None,
    )
    if updated:
        queue = REGRADE_QUEUE if submission.regrade_of_id else GRADING_QUEUE
        _enqueue_on_commit(submission.pk, queue)
    return updated == 1


@transaction.atomic
def submission_regrade(
    *,
    submission: Submission,
    to_current_version: bool = False,
    batch: RegradeBatch | None = None,
) -> Submission:
    """A new submission with the same content, graded on the low-priority regrade queue.

    The original stays as it was (it was graded once); the regrade is its own row, linked by
    `regrade_of`, and does not use up an attempt. With `batch`, it belongs to an instructor's
    regrade, whose scores count in the gradebook only once the batch is applied.
    """
    version_id = submission.version_id
    if to_current_version and submission.exercise.current_version_id:
        version_id = submission.exercise.current_version_id
    regrade = Submission.objects.create(
        user_id=submission.user_id,
        exercise_id=submission.exercise_id,
        version_id=version_id,
        mode=submission.mode,
        code=submission.code,
        answer=submission.answer,
        seed=submission.seed,
        course_id=submission.course_id,
        visible_only=submission.visible_only,
        regrade_of=submission,
        regrade_batch=batch,
        status=Submission.Status.QUEUED,
        queued_at=timezone.now(),
    )
    _enqueue_on_commit(regrade.pk, REGRADE_QUEUE)
    return regrade


# -- the task's steps ----------------------------------------------------------------------
def submission_claim(*, submission_id: int, worker: str = "") -> uuid.UUID | None:
    """queued -> running, for exactly one caller. Returns the claim token, or None if another
    delivery already claimed it (or it is done): then the caller must do nothing."""
    token = uuid.uuid4()
    updated = _CLAIM.run(
        values={
            "status": Submission.Status.RUNNING,
            "started_at": timezone.now(),
            "claim_token": token,
            "worker": worker[:200],
            "worker_pid": os.getpid(),
        },
        increment={"claim_count": 1},
        where={"id": submission_id, "status": Submission.Status.QUEUED},
    )
    return token if updated == 1 else None


# The two writes of every grading, prepared (config/prepared.py): compiling each UPDATE cost
# more CPU than the rest of the task's database work.
_CLAIM = PreparedUpdate(
    Submission,
    assign=("status", "started_at", "claim_token", "worker", "worker_pid"),
    increment=("claim_count",),
    where=("id", "status"),
)
_STORE = PreparedUpdate(
    Submission,
    assign=(
        "status", "verdict", "score", "max_score", "report", "message", "finished_at",
        "claim_token",
    ),
    increment=("graded_count",),
    where=("id", "status", "claim_token"),
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
    if not worker or holder != worker[:200] or pid is None or _process_alive(pid):
        return None
    token = uuid.uuid4()
    updated = Submission.objects.filter(
        pk=submission_id, status=Submission.Status.RUNNING, claim_token=old_token
    ).update(
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


def _process_alive(pid: int) -> bool:
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
        where={"id": submission_id, "status": Submission.Status.RUNNING, "claim_token": token},
    )
    if updated != 1:
        logger.warning("submission %s: claim lost before the result was stored", submission_id)
    return updated == 1


def submission_release(*, submission_id: int, token: uuid.UUID) -> bool:
    """running -> queued for the claim holder, before it retries after an infrastructure error."""
    return (
        Submission.objects.filter(
            pk=submission_id, status=Submission.Status.RUNNING, claim_token=token
        ).update(status=Submission.Status.QUEUED, queued_at=timezone.now(), claim_token=None)
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
@dataclass
class SweepResult:
    requeued_running: list[int] = field(default_factory=list)
    republished_queued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


SWEEP_BATCH = 500


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
        enqueue_grading(pk, queue=REGRADE_QUEUE if regrade_of else GRADING_QUEUE)
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
        if pid is None or _process_alive(pid):
            continue
        still_stuck = Submission.objects.filter(
            pk=pk, status=Submission.Status.RUNNING, claim_token=token
        )
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
    stuck_running = Submission.objects.filter(
        status=Submission.Status.RUNNING, started_at__lt=running_cutoff
    ).values_list("pk", "requeue_count", "regrade_of_id")[:SWEEP_BATCH]
    for pk, requeues, regrade_of in stuck_running:
        still_stuck = Submission.objects.filter(
            pk=pk, status=Submission.Status.RUNNING, started_at__lt=running_cutoff
        )
        outcome = _requeue_or_fail(still_stuck, pk, requeues, regrade_of, now)
        if outcome == "failed":
            result.failed.append(pk)
        elif outcome == "requeued":
            result.requeued_running.append(pk)

    queued_cutoff = now - timedelta(seconds=settings.SWEEP_QUEUED_AFTER)
    stuck_queued = (
        Submission.objects.filter(status=Submission.Status.QUEUED, queued_at__lt=queued_cutoff)
        .order_by("queued_at")
        .values_list("pk", "queued_at", "enqueue_count", "regrade_of_id")[:SWEEP_BATCH]
    )
    for pk, queued_at, published, regrade_of in stuck_queued:
        # Back off: while the workers are down for an hour, do not pile up a copy of every
        # message per sweep; wait 1, 2, 4 ... 32 deadlines between republications.
        backoff = settings.SWEEP_QUEUED_AFTER * min(2 ** max(published - 1, 0), 32)
        if queued_at > now - timedelta(seconds=backoff):
            continue
        if Submission.objects.filter(
            Q(pk=pk, status=Submission.Status.QUEUED, queued_at=queued_at)
        ).update(queued_at=now):
            result.republished_queued.append(pk)
            enqueue_grading(pk, queue=REGRADE_QUEUE if regrade_of else GRADING_QUEUE)
    if result.requeued_running or result.republished_queued or result.failed:
        logger.warning(
            "sweeper: %d running re-queued, %d queued republished, %d failed",
            len(result.requeued_running),
            len(result.republished_queued),
            len(result.failed),
        )
    return result

"""The sweeper rescues submissions stuck on their way, and never causes a second grade."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from submissions.lifecycle import submission_claim
from submissions.models import Submission
from submissions.sweeper import submissions_sweep
from submissions.tasks import sweep_stuck_submissions
from tests.platform.conftest import Bank, People, make_submission

pytestmark = pytest.mark.django_db


def ago(seconds: float) -> Any:
    return timezone.now() - timedelta(seconds=seconds)


def test_a_running_submission_whose_worker_died_is_queued_again(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]], settings: Any
) -> None:
    stuck = make_submission(people.alice, exercises.code)
    submission_claim(submission_id=stuck.pk, worker="dead-worker")
    Submission.objects.filter(pk=stuck.pk).update(started_at=ago(settings.SWEEP_RUNNING_AFTER + 1))
    fresh = make_submission(people.alice, exercises.code)
    submission_claim(submission_id=fresh.pk, worker="alive")

    result = submissions_sweep()

    assert result.requeued_running == [stuck.pk]
    assert enqueued == [(stuck.pk, "grading")]
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, stuck.requeue_count, stuck.claim_token) == ("queued", 1, None)
    assert fresh.status == "running"


def test_a_submission_that_keeps_killing_workers_ends_in_error(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]], settings: Any
) -> None:
    poison = make_submission(
        people.alice,
        exercises.code,
        status=Submission.Status.RUNNING,
        started_at=ago(settings.SWEEP_RUNNING_AFTER + 1),
        requeue_count=settings.SWEEP_MAX_REQUEUES,
    )

    result = submissions_sweep()

    assert result.failed == [poison.pk]
    assert enqueued == []
    poison.refresh_from_db()
    assert poison.status == "error"
    assert "try again" in poison.message
    assert poison.verdict == ""


def test_a_queued_submission_whose_message_was_lost_is_published_again(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]], settings: Any
) -> None:
    lost = make_submission(
        people.alice, exercises.code, queued_at=ago(settings.SWEEP_QUEUED_AFTER + 1), enqueue_count=1
    )
    waiting = make_submission(people.alice, exercises.code, queued_at=ago(1), enqueue_count=1)
    regrade = make_submission(
        people.alice,
        exercises.code,
        queued_at=ago(settings.SWEEP_QUEUED_AFTER + 1),
        enqueue_count=1,
        regrade_of=waiting,
    )

    result = submissions_sweep()

    assert sorted(result.republished_queued) == sorted([lost.pk, regrade.pk])
    assert sorted(enqueued) == sorted([(lost.pk, "grading"), (regrade.pk, "regrade")])
    lost.refresh_from_db()
    assert lost.status == "queued" and lost.queued_at > ago(5)


def test_republication_backs_off(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]], settings: Any
) -> None:
    # Published 3 times already: the next republication waits 4 deadlines, not 1.
    deadline = settings.SWEEP_QUEUED_AFTER
    make_submission(people.alice, exercises.code, queued_at=ago(deadline * 2), enqueue_count=3)
    assert submissions_sweep().republished_queued == []
    make_submission(people.alice, exercises.code, queued_at=ago(deadline * 4 + 1), enqueue_count=3)
    assert len(submissions_sweep().republished_queued) == 1


def test_done_and_error_submissions_are_never_touched(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]]
) -> None:
    long_ago = ago(10 * 24 * 3600)
    for status in (Submission.Status.DONE, Submission.Status.ERROR):
        make_submission(
            people.alice, exercises.code, status=status, queued_at=long_ago, started_at=long_ago
        )

    result = submissions_sweep()

    assert (result.requeued_running, result.republished_queued, result.failed) == ([], [], [])
    assert enqueued == []


def test_the_beat_task_runs_the_sweep(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]], settings: Any
) -> None:
    make_submission(
        people.alice,
        exercises.code,
        status=Submission.Status.RUNNING,
        started_at=ago(settings.SWEEP_RUNNING_AFTER + 1),
    )
    counts = sweep_stuck_submissions.apply().get()
    assert counts == {"requeued_running": 1, "republished_queued": 0, "failed": 0}


def test_the_sweep_is_scheduled_on_its_own_queue(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-submissions"]
    assert entry["task"] == "submissions.tasks.sweep_stuck_submissions"
    assert entry["schedule"] == settings.SWEEP_INTERVAL
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "maintenance"}

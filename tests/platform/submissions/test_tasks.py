"""The grading task: claims once, stores once, retries only the platform's failures."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from graders.report import Verdict
from submissions.lifecycle import submission_claim, submission_store_report
from submissions.models import Submission
from submissions.sweeper import submissions_sweep
from submissions.tasks import grade_submission
from tests.platform.conftest import (
    CORRECT_CODE,
    WRONG_CODE,
    Bank,
    FakeGrader,
    People,
    make_submission,
    run_task,
)

pytestmark = pytest.mark.django_db


def test_grades_and_stores_the_report(
    people: People, exercises: Bank, fake_grader: FakeGrader
) -> None:
    submission = make_submission(people.alice, exercises.code, code=CORRECT_CODE)

    assert run_task(submission.pk) == "accepted"

    submission.refresh_from_db()
    assert submission.status == Submission.Status.DONE
    assert (submission.verdict, submission.score, submission.max_score) == ("accepted", 10.0, 10.0)
    assert submission.report["checks"][0]["name"] == "small example"
    assert submission.report["verdict_label"] == "Accepted"
    assert submission.started_at and submission.finished_at
    assert submission.queued_at <= submission.started_at <= submission.finished_at
    assert (submission.claim_count, submission.graded_count) == (1, 1)
    assert submission.claim_token is None
    assert fake_grader.calls == [("double-it", CORRECT_CODE, 1234, False)]


def test_a_wrong_solution_is_a_verdict_not_an_error(
    people: People, exercises: Bank, fake_grader: FakeGrader
) -> None:
    submission = make_submission(people.alice, exercises.code, code=WRONG_CODE)

    assert run_task(submission.pk) == "rejected"

    submission.refresh_from_db()
    assert (submission.status, submission.verdict, submission.score) == ("done", "rejected", 0.0)
    assert submission.report["checks"][0]["hint"] == "off by a factor 2"


def test_visible_only_practice_reaches_the_grader(
    people: People, exercises: Bank, fake_grader: FakeGrader
) -> None:
    practice = make_submission(people.alice, exercises.code, mode="practice", attempt=None)
    visible = make_submission(
        people.alice, exercises.code, mode="practice", attempt=None, visible_only=True
    )
    run_task(practice.pk)
    run_task(visible.pk)
    assert [call[3] for call in fake_grader.calls] == [False, True]


def test_math_answers_are_graded_as_answers(
    people: People, exercises: Bank, fake_grader: FakeGrader
) -> None:
    submission = make_submission(people.alice, exercises.math, answer="correct 12")
    run_task(submission.pk)
    assert fake_grader.calls == [("count-params", "correct 12", 1234, False)]


def test_the_same_message_twice_grades_once(
    people: People, exercises: Bank, fake_grader: FakeGrader
) -> None:
    submission = make_submission(people.alice, exercises.code)

    assert run_task(submission.pk) == "accepted"
    assert run_task(submission.pk) == "skipped"

    submission.refresh_from_db()
    assert len(fake_grader.calls) == 1
    assert (submission.claim_count, submission.graded_count) == (1, 1)


def test_a_message_for_a_running_submission_does_nothing(
    people: People, exercises: Bank, fake_grader: FakeGrader
) -> None:
    submission = make_submission(people.alice, exercises.code)
    assert submission_claim(submission_id=submission.pk) is not None

    assert run_task(submission.pk) == "skipped"
    assert fake_grader.calls == []


def test_a_message_for_a_deleted_submission_does_nothing(fake_grader: FakeGrader) -> None:
    assert run_task(987654) == "skipped"


def test_a_lost_claim_never_stores_a_second_result(
    people: People, exercises: Bank, fake_grader: FakeGrader, enqueued: list[tuple[int, str]]
) -> None:
    """Worker A stalls past the deadline; the sweeper hands the row to worker B; A wakes up."""
    submission = make_submission(people.alice, exercises.code)
    token_a = submission_claim(submission_id=submission.pk, worker="a")
    later = timezone.now() + timedelta(hours=1)
    assert submissions_sweep(now=later).requeued_running == [submission.pk]

    assert run_task(submission.pk) == "accepted"  # worker B
    report = FakeGrader().grade(
        type("E", (), {"slug": "double-it", "version": "v", "points": 10.0})(), "wrong", seed=1
    )
    assert not submission_store_report(submission_id=submission.pk, token=token_a, report=report)

    submission.refresh_from_db()
    assert (submission.verdict, submission.graded_count, submission.claim_count) == (
        "accepted",
        1,
        2,
    )


def test_an_engine_failure_is_retried_then_reported_as_could_not_grade(
    people: People, exercises: Bank, fake_grader: FakeGrader, settings: Any
) -> None:
    fake_grader.fail_with = BrokenPipeError("the zygote is gone")
    submission = make_submission(people.alice, exercises.code)

    run_task(submission.pk)

    submission.refresh_from_db()
    max_retries = grade_submission.max_retries
    assert len(fake_grader.calls) == max_retries + 1
    assert submission.status == Submission.Status.ERROR
    assert submission.verdict == ""  # never a verdict against the student
    assert "Could not be graded" in submission.message
    assert submission.graded_count == 0
    assert submission.claim_count == max_retries + 1


def test_an_engine_failure_that_heals_on_retry_is_graded_once(
    people: People, exercises: Bank, fake_grader: FakeGrader
) -> None:
    submission = make_submission(people.alice, exercises.code)
    original = fake_grader.grade

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if len(fake_grader.calls) == 0:
            fake_grader.calls.append(("boom", "", 0, False))
            raise ConnectionResetError("grader pipe closed")
        return original(*args, **kwargs)

    fake_grader.grade = flaky  # type: ignore[method-assign]
    run_task(submission.pk)

    submission.refresh_from_db()
    assert (submission.status, submission.verdict, submission.graded_count) == (
        "done",
        "accepted",
        1,
    )


def test_an_internal_error_verdict_is_retried_and_never_blamed_on_the_student(
    people: People, exercises: Bank, fake_grader: FakeGrader
) -> None:
    fake_grader.verdict = Verdict.INTERNAL_ERROR
    submission = make_submission(people.alice, exercises.code)

    run_task(submission.pk)

    submission.refresh_from_db()
    assert len(fake_grader.calls) == grade_submission.max_retries + 1
    assert submission.status == Submission.Status.ERROR
    assert submission.verdict == "internal_error"
    assert submission.graded_count == 0
    assert (submission.score, submission.max_score) == (None, None)  # not a grade of 0
    assert submission.message


def test_the_database_being_away_at_claim_time_is_retried(
    people: People, exercises: Bank, fake_grader: FakeGrader, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission = make_submission(people.alice, exercises.code)
    calls = []
    from submissions import tasks

    real_claim = tasks.submission_claim

    def claim(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(**kwargs)

    monkeypatch.setattr(tasks, "submission_claim", claim)
    run_task(submission.pk)

    submission.refresh_from_db()
    assert (submission.status, submission.graded_count) == ("done", 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_have_exactly_one_winner(people: People, exercises: Bank) -> None:
    """Eight deliveries of one message at the same instant: the database picks one."""
    submission = make_submission(people.alice, exercises.code)
    barrier = threading.Barrier(8)
    tokens: list[Any] = []

    def deliver() -> None:
        barrier.wait()
        try:
            tokens.append(submission_claim(submission_id=submission.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(tokens) == 8
    assert sum(token is not None for token in tokens) == 1
    submission.refresh_from_db()
    assert submission.claim_count == 1


# -- a broken exercise: no retries, one alert, the instructors told once -----------------------
def broken_reference(fake_grader: FakeGrader, monkeypatch: pytest.MonkeyPatch) -> None:
    def grade(exercise: Any, submission: str, *, seed: int, visible_only: bool = False) -> Any:
        from graders.report import Report

        report = Report.new(
            exercise, seed, Verdict.INTERNAL_ERROR, 0.0, "Could not be graded: reference failed"
        )
        report.fault = "exercise"
        report.warnings.append("reference failed on case 'small': ZeroDivisionError")
        fake_grader.calls.append((exercise.slug, submission, seed, visible_only))
        return report

    monkeypatch.setattr(fake_grader, "grade", grade)


def test_a_broken_reference_alerts_the_instructors_once_and_is_not_retried(
    people: People,
    exercises: Bank,
    fake_grader: FakeGrader,
    monkeypatch: pytest.MonkeyPatch,
    mailoutbox: list[Any],
) -> None:
    from catalog.models import ExerciseAlert

    people.carol.email = "carol@example.org"
    people.carol.save()
    people.dave.email = "dave@example.org"  # teaches another course: not told
    people.dave.save()
    broken_reference(fake_grader, monkeypatch)
    first = make_submission(people.alice, exercises.code)
    second = make_submission(people.bob, exercises.code)

    run_task(first.pk)
    run_task(second.pk)

    assert len(fake_grader.calls) == 2  # once each: a deterministic failure is not retried
    for submission in (first, second):
        submission.refresh_from_db()
        assert submission.status == Submission.Status.ERROR
        assert submission.score is None and submission.graded_count == 0
        assert "reference failed" in submission.message
    alert = ExerciseAlert.objects.get()
    assert (alert.exercise_id, alert.count, alert.resolved_at) == (exercises.code.pk, 2, None)
    assert "ZeroDivisionError" in alert.message
    assert [m.to for m in mailoutbox] == [["carol@example.org"]]
    assert "double-it" in mailoutbox[0].subject


def test_a_resolved_alert_opens_again_when_the_reference_still_fails(
    people: People, exercises: Bank, fake_grader: FakeGrader, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.models import ExerciseAlert

    broken_reference(fake_grader, monkeypatch)
    run_task(make_submission(people.alice, exercises.code).pk)
    ExerciseAlert.objects.update(resolved_at=timezone.now())
    run_task(make_submission(people.bob, exercises.code).pk)

    assert sorted(ExerciseAlert.objects.values_list("count", flat=True)) == [1, 1]
    assert ExerciseAlert.objects.filter(resolved_at__isnull=True).count() == 1


# -- regrades give way to students ---------------------------------------------------------------
class FakeRequest:
    def __init__(self, queue: str) -> None:
        self.delivery_info = {"routing_key": queue}


class FakeTask:
    def __init__(self, queue: str) -> None:
        self.request = FakeRequest(queue)


def test_a_regrade_steps_back_while_students_wait(
    people: People, exercises: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    from submissions import tasks

    published: list[tuple[Any, str]] = []
    monkeypatch.setattr(
        tasks.grade_submission,
        "apply_async",
        lambda args, queue, countdown: published.append((args, queue)),
    )
    original = make_submission(people.alice, exercises.code, status=Submission.Status.DONE)
    regrade = make_submission(people.alice, exercises.code, regrade_of=original)
    waiting = make_submission(people.bob, exercises.code)  # a student's, queued

    assert tasks._students_go_first(FakeTask("regrade"), regrade.pk) is True
    assert published == [((regrade.pk,), "regrade")]
    # A student's own task never waits, whatever is queued.
    assert tasks._students_go_first(FakeTask("grading"), waiting.pk) is False

    Submission.objects.filter(pk=waiting.pk).update(status=Submission.Status.DONE)
    assert tasks._students_go_first(FakeTask("regrade"), regrade.pk) is False
    assert len(published) == 1


# -- a grader process killed mid-grade: the redelivered message takes the row back at once -----
def dead_pid() -> int:
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def running_under(submission: Submission, *, worker: str, pid: int) -> Any:
    token = submission_claim(submission_id=submission.pk, worker=worker)
    assert token is not None
    Submission.objects.filter(pk=submission.pk).update(worker_pid=pid)
    return token


def test_a_redelivery_takes_back_a_row_whose_process_died(people: People, exercises: Bank) -> None:
    from submissions.lifecycle import submission_reclaim_orphan

    submission = make_submission(people.alice, exercises.code)
    old = running_under(submission, worker="w1@host", pid=dead_pid())

    new = submission_reclaim_orphan(submission_id=submission.pk, worker="w1@host")

    assert new is not None and new != old
    submission.refresh_from_db()
    assert (submission.status, submission.claim_count, submission.requeue_count) == (
        "running",
        2,
        1,
    )
    # The dead holder's result, should it ever arrive, is not stored: graded once.
    assert not submission_store_report(submission_id=submission.pk, token=old, report=_report())
    assert submission_store_report(submission_id=submission.pk, token=new, report=_report())
    assert Submission.objects.get(pk=submission.pk).graded_count == 1


def test_a_living_holder_or_another_node_keeps_its_claim(people: People, exercises: Bank) -> None:
    import os

    from submissions.lifecycle import submission_reclaim_orphan

    alive = make_submission(people.alice, exercises.code)
    running_under(alive, worker="w1@host", pid=os.getpid())
    elsewhere = make_submission(people.bob, exercises.code)
    running_under(elsewhere, worker="w2@other", pid=dead_pid())

    assert submission_reclaim_orphan(submission_id=alive.pk, worker="w1@host") is None
    # Another node's process cannot be probed from here: the sweeper's job.
    assert submission_reclaim_orphan(submission_id=elsewhere.pk, worker="w1@host") is None
    assert submission_reclaim_orphan(submission_id=elsewhere.pk, worker="") is None


def _report() -> Any:
    from graders.report import Report

    return Report(
        exercise="double-it",
        version="v",
        seed=1,
        verdict=Verdict.ACCEPTED,
        score=10.0,
        max_score=10.0,
    )


# -- a worker killed whole and started again under its name: its rows are re-queued at once ------
def test_a_restarted_node_requeues_what_its_dead_processes_held(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]], settings: Any
) -> None:
    import os

    from submissions.sweeper import submissions_reclaim_for_node

    orphan = make_submission(people.alice, exercises.code)
    old = running_under(orphan, worker="w1@host", pid=dead_pid())
    living = make_submission(people.bob, exercises.code)
    running_under(living, worker="w1@host", pid=os.getpid())  # a new pool process's claim
    elsewhere = make_submission(people.bob, exercises.code)
    running_under(elsewhere, worker="w2@other", pid=dead_pid())
    worn_out = make_submission(people.alice, exercises.code)
    running_under(worn_out, worker="w1@host", pid=dead_pid())
    Submission.objects.filter(pk=worn_out.pk).update(requeue_count=settings.SWEEP_MAX_REQUEUES)

    assert submissions_reclaim_for_node(worker="w1@host") == [orphan.pk]

    assert enqueued == [(orphan.pk, "grading")]
    orphan.refresh_from_db()
    assert (orphan.status, orphan.requeue_count, orphan.claim_token) == ("queued", 1, None)
    # The dead process's result, should it ever arrive, cannot be stored.
    assert not submission_store_report(submission_id=orphan.pk, token=old, report=_report())
    states = dict(Submission.objects.values_list("pk", "status"))
    assert (states[living.pk], states[elsewhere.pk], states[worn_out.pk]) == (
        "running",
        "running",
        "error",  # it had already stopped the grader too often
    )


def test_the_worker_reclaims_when_it_is_ready(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]]
) -> None:
    from types import SimpleNamespace

    from submissions import tasks

    orphan = make_submission(people.alice, exercises.code)
    running_under(orphan, worker="w1@host", pid=dead_pid())

    tasks.reclaim_after_restart(sender=SimpleNamespace(hostname="w1@host"))

    assert enqueued == [(orphan.pk, "grading")]


def test_a_zombie_holder_counts_as_dead() -> None:
    # Killed with its parent, a pool process stays a zombie under an init that never reaps:
    # it must not keep its claim.
    import os
    import signal
    import subprocess
    import time
    from pathlib import Path

    from submissions.lifecycle import process_alive as _process_alive

    # The parent execs into a process that never waits: the killed child stays a zombie.
    parent = subprocess.Popen(
        ["bash", "-c", "sleep 60 & echo $!; exec sleep 60"],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    child = int(parent.stdout.readline())  # type: ignore[union-attr]
    try:
        assert _process_alive(child)
        for _ in range(50):  # bash reaps its children: wait until it has become `sleep`
            if Path(f"/proc/{parent.pid}/comm").read_text().strip() == "sleep":
                break
            time.sleep(0.05)
        os.kill(child, signal.SIGKILL)
        stat = Path(f"/proc/{child}/stat")
        for _ in range(50):
            if stat.read_text().rsplit(") ", 1)[1][0] == "Z":
                break
            time.sleep(0.1)
        assert stat.read_text().rsplit(") ", 1)[1][0] == "Z"  # still there, as a zombie
        assert not _process_alive(child)
        assert _process_alive(os.getpid())
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_from_task_to_task() -> None:
    """Celery's Django fix-up closes the connection around every task unless told otherwise:
    on PostgreSQL that was a new server process per grading. Django's own rule applies
    instead: kept while young and healthy, closed once too old."""
    from types import SimpleNamespace

    from celery.fixups.django import DjangoWorkerFixup

    from config.celery import app
    from submissions.tasks import database_connections_as_in_a_request

    fixup = DjangoWorkerFixup(app)
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    connection.ensure_connection()
    kept = connection.connection
    for _ in range(5):  # five tasks, as the worker's signals run them
        fixup.on_task_prerun(sender=task)
        database_connections_as_in_a_request(task=task)
        connection.ensure_connection()
        fixup.on_task_postrun(sender=task)
    assert connection.connection is kept

    connection.close_at = 0.0  # past DB_CONN_MAX_AGE
    database_connections_as_in_a_request(task=task)
    assert connection.connection is None

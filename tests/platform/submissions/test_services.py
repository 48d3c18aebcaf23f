from __future__ import annotations

from typing import Any

import pytest

from core.ratelimit import rate_limit_hit
from courses.models import Assignment
from graders.instances import derive_seed
from submissions.create import submission_create, submission_regrade, submission_retry
from submissions.errors import AttemptsExhausted, RateLimited, SubmissionError, SubmissionTooLarge
from submissions.models import Submission
from tests.platform.conftest import CORRECT_CODE, Bank, People, make_submission

pytestmark = pytest.mark.django_db


def test_create_saves_a_queued_submission_and_enqueues_it_after_commit(
    people: People,
    exercises: Bank,
    enqueued: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submission_create(user=people.alice, exercise=exercises.code, code=CORRECT_CODE)
        # Nothing is published before the transaction commits: a worker could not see the row.
        assert enqueued == []

    for callback in callbacks:
        callback()
    assert enqueued == [(submission.pk, "grading")]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED
    assert submission.verdict == ""
    assert submission.version == exercises.code.current_version
    assert submission.attempt == 1
    assert submission.queued_at is not None and submission.started_at is None
    assert submission.seed == derive_seed(f"user:{people.alice.pk}", exercises.code.slug, "")


def test_the_seed_is_per_student_and_stable(people: People, exercises: Bank) -> None:
    a1 = submission_create(user=people.alice, exercise=exercises.code, code=CORRECT_CODE)
    a2 = submission_create(user=people.alice, exercise=exercises.code, code=CORRECT_CODE)
    b1 = submission_create(user=people.bob, exercise=exercises.code, code=CORRECT_CODE)

    assert a1.seed == a2.seed != b1.seed


def test_attempts_are_numbered_and_practice_does_not_count(people: People, exercises: Bank) -> None:
    first = submission_create(user=people.alice, exercise=exercises.code, code="x = 1")
    practice = submission_create(
        user=people.alice, exercise=exercises.code, code="x = 1", mode="practice", visible_only=True
    )
    second = submission_create(user=people.alice, exercise=exercises.code, code="x = 1")

    assert (first.attempt, practice.attempt, second.attempt) == (1, None, 2)


def test_max_attempts_refuses_graded_but_not_practice(people: People, exercises: Bank) -> None:
    Assignment.objects.filter(exercise=exercises.code).update(max_attempts=1)
    submission_create(user=people.alice, exercise=exercises.code, code="x = 1")

    with pytest.raises(AttemptsExhausted) as info:
        submission_create(user=people.alice, exercise=exercises.code, code="x = 2")
    assert info.value.status == 403
    submission_create(user=people.alice, exercise=exercises.code, code="x = 2", mode="practice")
    # Another student has their own attempts.
    submission_create(user=people.bob, exercise=exercises.code, code="x = 1")


def test_unparseable_math_answers_do_not_use_up_an_attempt(people: People, exercises: Bank) -> None:
    Assignment.objects.filter(exercise=exercises.math).update(max_attempts=1)
    make_submission(
        people.alice, exercises.math, status=Submission.Status.DONE, verdict="invalid_answer"
    )

    submission = submission_create(user=people.alice, exercise=exercises.math, answer="12")

    assert submission.attempt == 1


@pytest.mark.parametrize(
    ("kind", "content", "error", "status"),
    [
        ("code", {"code": "   "}, SubmissionError, 400),
        ("code", {"answer": "12"}, SubmissionError, 400),
        ("code", {"code": "#" * (64 * 1024 + 1)}, SubmissionTooLarge, 413),
        ("math", {"code": "x = 1"}, SubmissionError, 400),
        ("math", {"answer": ""}, SubmissionError, 400),
        ("math", {"answer": "1" * (4 * 1024 + 1)}, SubmissionTooLarge, 413),
    ],
)
def test_bad_content_is_refused(
    people: People,
    exercises: Bank,
    kind: str,
    content: dict[str, str],
    error: type[SubmissionError],
    status: int,
) -> None:
    exercise = exercises.code if kind == "code" else exercises.math
    with pytest.raises(error) as info:
        submission_create(user=people.alice, exercise=exercise, **content)
    assert info.value.status == status
    assert Submission.objects.count() == 0


def test_limits_count_bytes_not_characters(people: People, exercises: Bank) -> None:
    # 'é' is two bytes in UTF-8: 40,000 of them are 80,000 bytes, over the 64 KiB limit.
    with pytest.raises(SubmissionTooLarge):
        submission_create(user=people.alice, exercise=exercises.code, code="#" + "é" * 40_000)


def test_a_bad_mode_is_refused(people: People, exercises: Bank) -> None:
    with pytest.raises(SubmissionError, match="mode"):
        submission_create(user=people.alice, exercise=exercises.code, code="x", mode="exam")


def test_a_retired_exercise_takes_no_submissions(people: People, exercises: Bank) -> None:
    exercises.code.is_active = False
    exercises.code.save()
    with pytest.raises(SubmissionError, match="not open"):
        submission_create(user=people.alice, exercise=exercises.code, code="x")


def test_rate_limit_per_user(people: People, exercises: Bank, settings: Any) -> None:
    settings.SUBMISSION_RATE = (3, 60)
    for _ in range(3):
        submission_create(user=people.alice, exercise=exercises.code, code="x = 1")

    with pytest.raises(RateLimited) as info:
        submission_create(user=people.alice, exercise=exercises.code, code="x = 1")
    assert info.value.status == 429
    assert 1 <= info.value.retry_after <= 60
    # Bob is not slowed down by Alice.
    submission_create(user=people.bob, exercise=exercises.code, code="x = 1")
    assert Submission.objects.filter(user=people.alice).count() == 3


def test_rate_limit_window_resets() -> None:
    now = [1_000_040.0]  # windows of 60 s start at multiples of 60: this one at 1,000,020

    def clock() -> float:
        return now[0]

    assert rate_limit_hit("k", limit=1, window=60, clock=clock) is None
    assert rate_limit_hit("k", limit=1, window=60, clock=clock) == 40
    now[0] += 40
    assert rate_limit_hit("k", limit=1, window=60, clock=clock) is None


def test_retry_queues_an_errored_submission_again(
    people: People,
    exercises: Bank,
    enqueued: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    failed = make_submission(
        people.alice, exercises.code, status=Submission.Status.ERROR, message="could not", requeue_count=3
    )
    done = make_submission(people.alice, exercises.code, status=Submission.Status.DONE)

    with django_capture_on_commit_callbacks(execute=True):
        assert submission_retry(submission=failed)
        assert not submission_retry(submission=done)

    failed.refresh_from_db()
    assert (failed.status, failed.message, failed.requeue_count) == ("queued", "", 0)
    assert enqueued == [(failed.pk, "grading")]


def test_regrade_is_a_new_row_on_the_regrade_queue(
    people: People,
    exercises: Bank,
    enqueued: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    original = make_submission(
        people.alice, exercises.code, status=Submission.Status.DONE, verdict="accepted", graded_count=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        regrade = submission_regrade(submission=original)

    assert regrade.pk != original.pk
    assert (regrade.regrade_of, regrade.code, regrade.seed) == (original, original.code, original.seed)
    assert regrade.attempt is None
    assert enqueued == [(regrade.pk, "regrade")]
    original.refresh_from_db()
    assert original.graded_count == 1



def test_the_rate_limit_fails_open_when_the_cache_is_down(
    people: People, exercises: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("redis is restarting")

    monkeypatch.setattr("core.ratelimit.cache.add", down)
    submission = submission_create(user=people.alice, exercise=exercises.code, code="x = 1")
    assert submission.status == Submission.Status.QUEUED

"""Regrading an exercise: the batch, its preview (old -> new), apply and discard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from courses.models import Course
from gradebook.selectors import gradebook_for, regrade_preview
from gradebook.services import (
    RegradeError,
    regrade_batch_apply,
    regrade_batch_create,
    regrade_batch_discard,
)
from submissions.models import RegradeBatch, Submission
from tests.platform.conftest import (
    CORRECT_CODE,
    WRONG_CODE,
    Bank,
    FakeGrader,
    People,
    make_submission,
    run_task,
)
from tests.platform.gradebook.conftest import graded

pytestmark = pytest.mark.django_db


def carols_regrade(people: People, exercises: Bank) -> RegradeBatch:
    """carol regrades the code exercise in ml101."""
    return regrade_batch_create(
        course=Course.objects.get(slug="ml101"), exercise=exercises.code, requested_by=people.carol
    )


def scores(username: str) -> float | None:
    book = gradebook_for(Course.objects.get(slug="ml101"))
    row = next(row for row in book.rows if row.student.username == username)
    return next(cell.score for cell in row.cells if cell.slug == "double-it")


@pytest.fixture
def graded_before(people: People, exercises: Bank) -> dict[str, Submission]:
    """Scores an old, buggy version gave: Alice's wrong code got full marks, Bob's correct
    code got 0, Carl's had an unlucky internal error later. The fake grader now says the truth."""
    return {
        "alice": graded(people.alice, exercises.code, 10.0, code=WRONG_CODE),
        "bob": graded(people.bob, exercises.code, 0.0, code=CORRECT_CODE),
        "bob-again": graded(people.bob, exercises.code, 2.0, code=WRONG_CODE),
    }


def test_the_regrade_button_makes_a_batch_on_the_regrade_queue(
    carol: Client,
    people: People,
    exercises: Bank,
    graded_before: dict[str, Submission],
    enqueued: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Not regraded: practice, pending, unparsed answers, submissions outside the course.
    graded(people.alice, exercises.code, 10.0, mode="practice", attempt=None)
    make_submission(people.alice, exercises.code, status=Submission.Status.QUEUED)
    graded(people.alice, exercises.code, 0.0, verdict="invalid_answer")
    graded(people.alice, exercises.code, 10.0, course=None)
    graded(people.alice, exercises.math, 2.0)

    page = carol.get("/teach/ml101/gradebook/exercises/double-it/").content.decode()
    assert "3 counted graded submissions" in page
    assert ">Regrade against the current version</button>" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = carol.post("/teach/ml101/gradebook/exercises/double-it/regrade/")

    batch = RegradeBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/teach/ml101/gradebook/regrades/{batch.pk}/"
    assert (batch.course.slug, batch.exercise, batch.requested_by) == (
        "ml101",
        exercises.code,
        people.carol,
    )
    assert batch.version_id == exercises.code.current_version_id
    regrades = Submission.objects.filter(regrade_batch=batch)
    assert sorted(r.regrade_of_id for r in regrades) == sorted(s.pk for s in graded_before.values())
    assert all(r.status == "queued" and r.attempt is None for r in regrades)
    assert sorted(enqueued) == sorted((r.pk, "regrade") for r in regrades)


def test_nothing_to_regrade_is_said_not_done(
    carol: Client, exercises: Bank, enqueued: list[tuple[int, str]]
) -> None:
    response = carol.post("/teach/ml101/gradebook/exercises/double-it/regrade/", follow=True)

    assert "Nothing regraded: there is no graded submission" in response.content.decode()
    assert not RegradeBatch.objects.exists() and enqueued == []


def test_the_preview_shows_progress_then_old_and_new_scores(
    carol: Client,
    people: People,
    exercises: Bank,
    graded_before: dict[str, Submission],
    enqueued: list[tuple[int, str]],
    fake_grader: FakeGrader,
) -> None:
    batch = carols_regrade(people, exercises)
    url = f"/teach/ml101/gradebook/regrades/{batch.pk}/"

    running = carol.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in running
    assert "0 / 3 done" in running and 'id="regrade-apply"' not in running

    alice_regrade, bob_regrade, bob_again = Submission.objects.filter(regrade_batch=batch).order_by(
        "regrade_of_id"
    )
    run_task(alice_regrade.pk)
    run_task(bob_regrade.pk)
    Submission.objects.filter(pk=bob_again.pk).update(status="error", message="grader down")

    preview = regrade_preview(batch=batch)
    assert (preview.total, preview.pending, preview.failed) == (3, 0, 1)
    assert preview.counts == {"up": 1, "down": 1, "same": 0}
    by_student = {row.student.username: row for row in preview.rows}
    assert (by_student["alice"].old.score, by_student["alice"].new.score) == (10.0, 0.0)
    assert (by_student["bob"].old.score, by_student["bob"].new.score) == (2.0, 10.0)
    assert by_student["bob"].failed == 1

    page = carol.get(url).content.decode()
    assert "refresh" not in page and "3 / 3 done" in page
    assert re.search(r'data-count="up">1<', page) and re.search(r'data-count="down">1<', page)
    assert re.search(r'data-count="failed">1 ', page)
    alice_row = re.search(r'<tr data-student="alice" data-change="down".*?</tr>', page, re.S)
    assert alice_row and "10 / 10" in alice_row.group(0) and "0 / 10" in alice_row.group(0)
    assert 'id="regrade-apply"' in page
    assert scores("alice") == 10.0  # nothing changes before apply


def test_unchanged_rows_come_after_the_changes(
    people: People, exercises: Bank, enqueued: list[tuple[int, str]], fake_grader: FakeGrader
) -> None:
    graded(people.alice, exercises.code, 10.0, code=CORRECT_CODE)  # stays 10
    graded(people.bob, exercises.code, 10.0, code=WRONG_CODE)  # goes to 0
    batch = carols_regrade(people, exercises)
    for regrade in Submission.objects.filter(regrade_batch=batch):
        run_task(regrade.pk)

    preview = regrade_preview(batch=batch)

    assert [(row.student.username, row.change) for row in preview.rows] == [
        ("bob", "down"),
        ("alice", "same"),
    ]


def test_apply_waits_for_every_regrade_then_counts_once(
    carol: Client,
    people: People,
    exercises: Bank,
    graded_before: dict[str, Submission],
    enqueued: list[tuple[int, str]],
    fake_grader: FakeGrader,
) -> None:
    batch = carols_regrade(people, exercises)
    url = f"/teach/ml101/gradebook/regrades/{batch.pk}/"

    early = carol.post(url + "apply/", follow=True).content.decode()
    assert "Not applied: 3 regrades are still running" in early
    batch.refresh_from_db()
    assert batch.applied_at is None

    for regrade in Submission.objects.filter(regrade_batch=batch):
        run_task(regrade.pk)
    assert carol.post(url + "apply/").status_code == 302
    batch.refresh_from_db()
    applied_at = batch.applied_at
    assert applied_at is not None
    assert (scores("alice"), scores("bob")) == (0.0, 10.0)

    again = carol.post(url + "apply/", follow=True).content.decode()
    assert "applied already" in again
    batch.refresh_from_db()
    assert batch.applied_at == applied_at
    assert regrade_batch_apply(batch=batch) is False
    with pytest.raises(RegradeError, match="applied already"):
        regrade_batch_discard(batch=batch)
    page = carol.get(url).content.decode()
    assert 'data-state="applied"' in page and 'id="regrade-discard"' not in page


def test_discard_keeps_the_old_scores_for_good(
    carol: Client,
    people: People,
    exercises: Bank,
    graded_before: dict[str, Submission],
    enqueued: list[tuple[int, str]],
    fake_grader: FakeGrader,
) -> None:
    batch = carols_regrade(people, exercises)
    url = f"/teach/ml101/gradebook/regrades/{batch.pk}/"

    assert carol.post(url + "discard/").status_code == 302  # allowed while running
    for regrade in Submission.objects.filter(regrade_batch=batch):
        run_task(regrade.pk)

    batch.refresh_from_db()
    assert batch.discarded_at is not None and batch.applied_at is None
    assert (scores("alice"), scores("bob")) == (10.0, 2.0)
    refused = carol.post(url + "apply/", follow=True).content.decode()
    assert "Not applied: this regrade was discarded" in refused
    assert regrade_batch_discard(batch=batch) is False
    page = carol.get(url).content.decode()
    assert 'data-state="discarded"' in page and "refresh" not in page


def test_a_regrade_of_another_course_is_not_found(
    carol: Client, people: People, exercises: Bank, graded_before: dict[str, Submission]
) -> None:
    other = Course.objects.get(slug="cv201")
    batch = RegradeBatch.objects.create(
        course=other, exercise=exercises.code, version_id=exercises.code.current_version_id
    )

    assert carol.get(f"/teach/ml101/gradebook/regrades/{batch.pk}/").status_code == 404
    assert carol.post(f"/teach/ml101/gradebook/regrades/{batch.pk}/apply/").status_code == 404

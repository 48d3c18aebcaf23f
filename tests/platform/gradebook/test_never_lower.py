"""Applying a regrade with "never lower a score": a regrade lower than the score it would
replace leaves it (submissions/scores.py), the preview marks those rows kept, and every page
(gradebook, CSV, the student's course home, exercise page and API) agrees."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import api_token_create
from courses.models import Course
from gradebook.selectors import gradebook_for, regrade_preview
from gradebook.services import regrade_batch_apply
from submissions.models import RegradeBatch, Submission
from tests.platform.conftest import Bank, People
from tests.platform.gradebook.conftest import batch_for, graded, regraded

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scores() -> dict[str, float | None]:
    book = gradebook_for(Course.objects.get(slug="ml101"))
    return {
        row.student.username: next(c.score for c in row.cells if c.slug == "double-it")
        for row in book.rows
    }


@pytest.fixture
def batch(people: People, exercises: Bank) -> RegradeBatch:
    """A finished, unapplied regrade: Alice's 10 would become 4, Bob's 2 would become 8."""
    alice = graded(people.alice, exercises.code, 10.0)
    bob = graded(people.bob, exercises.code, 2.0)
    made = batch_for(alice)
    regraded(alice, made, 4.0)
    regraded(bob, made, 8.0)
    return made


def changes(preview_rows: list) -> dict[str, tuple[str, bool, float | None]]:
    return {row.student.username: (row.change, row.kept, row.new.score) for row in preview_rows}


def test_the_preview_with_and_without_never_lower(carol: Client, batch: RegradeBatch) -> None:
    plain = regrade_preview(batch=batch)
    kept = regrade_preview(batch=batch, never_lower=True)

    assert changes(plain.rows) == {"alice": ("down", False, 4.0), "bob": ("up", False, 8.0)}
    assert changes(kept.rows) == {"alice": ("same", True, 10.0), "bob": ("up", False, 8.0)}
    assert kept.kept == 1 and plain.kept == 0
    url = f"/teach/ml101/gradebook/regrades/{batch.pk}/"
    page = carol.get(url + "?never_lower=1").content.decode()
    assert 'data-student="alice" data-change="kept"' in page
    assert "kept (would go down to 4 / 10)" in page
    assert 'id="regrade-never-lower" checked' in page
    assert 'data-change="kept"' not in carol.get(url).content.decode()


def test_apply_with_never_lower_keeps_the_higher_score_everywhere(
    carol: Client, people: People, batch: RegradeBatch
) -> None:
    response = carol.post(
        f"/teach/ml101/gradebook/regrades/{batch.pk}/apply/", {"never_lower": "on"}
    )

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.applied_at is not None and batch.never_lower
    assert scores() == {"alice": 10.0, "bob": 8.0}
    text = carol.get("/teach/ml101/gradebook/export.csv").content.decode()
    rows = {row["username"]: row for row in csv.DictReader(io.StringIO(text))}
    assert (rows["alice"]["double-it score"], rows["bob"]["double-it score"]) == ("10", "8")
    # The student's own pages and the API.
    alice = as_user(people.alice)
    home = alice.get("/courses/ml101/").content.decode()
    exercise = alice.get("/courses/ml101/exercises/double-it/").content.decode()
    assert "10 / 10" in home and "<strong>10 / 10</strong>" in exercise
    original = Submission.objects.get(user=people.alice, regrade_of__isnull=True)
    token = api_token_create(user=people.alice)[1]
    api = (
        Client()
        .get(f"/api/v1/submissions/{original.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
        .json()
    )
    assert api["score"] == 10.0
    # Once applied, the preview shows the batch's own choice.
    assert (
        'data-change="kept"'
        in carol.get(f"/teach/ml101/gradebook/regrades/{batch.pk}/").content.decode()
    )


def test_apply_without_never_lower_lowers(batch: RegradeBatch) -> None:
    assert regrade_batch_apply(batch=batch) is True

    batch.refresh_from_db()
    assert not batch.never_lower
    assert scores() == {"alice": 4.0, "bob": 8.0}


def test_never_lower_compares_with_the_score_an_older_batch_gave(
    people: People, exercises: Bank, batch: RegradeBatch
) -> None:
    regrade_batch_apply(batch=batch)  # Alice: 4
    alice = Submission.objects.get(user=people.alice, regrade_of__isnull=True)
    newer = batch_for(alice)
    regraded(alice, newer, 6.0)

    regrade_batch_apply(batch=newer, never_lower=True)

    assert scores()["alice"] == 6.0  # 6 is not lower than 4: it replaces it

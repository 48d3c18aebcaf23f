"""A score set by hand: from the gradebook's student page, kept in an audit log, in the
gradebook and its CSV, and as the student's effective score on their own pages
(courses.models.ScoreOverride, submissions/scores.py)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from courses.models import ScoreOverride
from gradebook.selectors import gradebook_for, regrade_preview
from gradebook.services import OverrideInvalid, score_override_create
from submissions.models import Submission
from tests.platform.conftest import Bank, People, assignment
from tests.platform.gradebook.conftest import batch_for, graded, regraded

pytestmark = pytest.mark.django_db


def page_of(people: People) -> str:
    return f"/teach/ml101/gradebook/students/{people.alice.pk}/exercises/double-it/"


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(client: Client) -> dict[str, dict[str, str]]:
    text = client.get("/teach/ml101/gradebook/export.csv").content.decode()
    return {row["username"]: row for row in csv.DictReader(io.StringIO(text))}


def override(people: People, exercises: Bank, score: float | None, reason: str) -> Any:
    return score_override_create(
        assignment=assignment(exercises),
        student=people.alice,
        score=score,
        reason=reason,
        created_by=people.carol,
    )


def test_an_instructor_sets_a_score_and_it_is_the_students_result_everywhere(
    carol: Client, people: People, exercises: Bank
) -> None:
    graded(people.alice, exercises.code, 7.5)
    graded(people.bob, exercises.code, 5.0)

    response = carol.post(page_of(people), {"score": "9", "reason": "oral exam"})

    assert response.status_code == 302 and response["Location"].endswith("#override")
    # The gradebook: the score, marked; the total counts it.
    book = carol.get("/teach/ml101/gradebook/").content.decode()
    row = re.search(r'<tr data-student="alice">(.*?)</tr>', book, re.S)
    assert row and '<span class="score">9</span> / 10' in row.group(1)
    assert "set by hand" in row.group(1) and 'class="total">9<' in row.group(1)
    assert "set by hand" not in re.search(r'<tr data-student="bob">(.*?)</tr>', book, re.S)[1]
    # The CSV: the score, and a column saying who set it and why.
    rows = csv_rows(carol)
    assert rows["alice"]["double-it score"] == "9" and rows["alice"]["total"] == "9"
    assert re.fullmatch(
        r"set by carol on \d{4}-\d\d-\d\d: oral exam", rows["alice"]["double-it set by hand"]
    )
    assert rows["bob"]["double-it set by hand"] == "" and rows["bob"]["double-it score"] == "5"
    # The student's own pages, through their usual paths, with the reason.
    alice = as_user(people.alice)
    home = alice.get("/courses/ml101/").content.decode()
    exercise = alice.get("/courses/ml101/exercises/double-it/").content.decode()
    for page in (home, exercise):
        assert re.search(r"9/10: set by carol on \d{1,2} \w{3}: oral exam", page)
    assert "9 / 10" in home and "<strong>9 / 10</strong>" in exercise
    bob_home = as_user(people.bob).get("/courses/ml101/").content.decode()
    assert "set by carol" not in bob_home and "5 / 10" in bob_home


def test_every_change_is_kept_in_the_audit_log_and_a_newer_row_supersedes(
    carol: Client, people: People, exercises: Bank
) -> None:
    graded(people.alice, exercises.code, 7.5)
    carol.post(page_of(people), {"score": "9", "reason": "oral exam"})
    first = ScoreOverride.objects.get()
    carol.post(page_of(people), {"score": "8", "reason": "rounding mistake"})
    assert csv_rows(carol)["alice"]["double-it score"] == "8"

    cleared = carol.post(page_of(people), {"clear": "on", "reason": "appeal withdrawn"})

    assert cleared.status_code == 302
    log = list(ScoreOverride.objects.order_by("pk"))
    assert [(row.previous, row.score, row.reason) for row in log] == [
        (7.5, 9.0, "oral exam"),
        (9.0, 8.0, "rounding mistake"),
        (8.0, None, "appeal withdrawn"),
    ]
    assert all(row.created_by == people.carol for row in log)
    kept = ScoreOverride.objects.get(pk=first.pk)  # rows are never edited
    assert (kept.score, kept.reason, kept.created_at) == (9.0, "oral exam", first.created_at)
    # Cleared: the grading counts again, everywhere.
    assert csv_rows(carol)["alice"]["double-it score"] == "7.5"
    assert csv_rows(carol)["alice"]["double-it set by hand"] == ""
    assert "set by carol" not in as_user(people.alice).get("/courses/ml101/").content.decode()
    html = carol.get(page_of(people)).content.decode()
    log_html = html[html.index('id="override-log"') :]
    assert log_html.index("appeal withdrawn") < log_html.index("rounding mistake")
    assert "8 → cleared" in log_html and "9 → 8" in log_html and "7.50 → 9" in log_html


def test_a_score_set_by_hand_holds_whatever_is_sent_later_and_solved_stays_the_gradings(
    people: People, exercises: Bank
) -> None:
    override(people, exercises, 10.0, "graded on paper")
    book = gradebook_for(assignment(exercises).course)
    cell = next(row for row in book.rows if row.student == people.alice).cells[0]
    assert (cell.score, cell.graded_score, cell.solved) == (10.0, None, False)

    graded(people.alice, exercises.code, 3.0)
    graded(people.alice, exercises.code, 10.0)  # accepted: solved, by the grading

    book = gradebook_for(assignment(exercises).course)
    cell = next(row for row in book.rows if row.student == people.alice).cells[0]
    assert (cell.score, cell.graded_score, cell.solved, cell.attempts) == (10.0, 10.0, True, 2)
    override(people, exercises, 4.0, "plagiarism")
    book = gradebook_for(assignment(exercises).course)
    cell = next(row for row in book.rows if row.student == people.alice).cells[0]
    assert (cell.score, cell.graded_score) == (4.0, 10.0)


def test_a_regrade_preview_leaves_an_overridden_score_unchanged(
    people: People, exercises: Bank
) -> None:
    original = graded(people.alice, exercises.code, 4.0)
    override(people, exercises, 6.0, "partial credit by hand")
    batch = batch_for(original)
    regraded(original, batch, 10.0)

    (row,) = regrade_preview(batch=batch).rows

    assert (row.old.score, row.new.score, row.change) == (6.0, 6.0, "same")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"score": "9", "reason": "  "}, "reason", "This field is required"),
        ({"score": "11", "reason": "bonus"}, "score", "from 0 to 10"),
        ({"score": "-1", "reason": "x"}, "score", "from 0 to 10"),
        ({"score": "nan", "reason": "x"}, "score", "Enter a number"),
        ({"score": "", "reason": "x"}, "score", "Give the score, or tick"),
        ({"clear": "on", "reason": "x"}, "score", "nothing to clear"),
    ],
)
def test_a_bad_override_is_refused_by_the_field_and_keeps_what_was_typed(
    carol: Client,
    people: People,
    exercises: Bank,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = carol.post(page_of(people), data)

    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    if data.get("reason", "").strip():
        assert f'value="{data["reason"]}"' in response.content.decode()
    assert not ScoreOverride.objects.exists()


def test_the_service_refuses_a_score_for_someone_not_in_the_course(
    people: People, exercises: Bank
) -> None:
    with pytest.raises(OverrideInvalid, match="not a student of this course"):
        score_override_create(
            assignment=assignment(exercises),
            student=people.dave,
            score=5.0,
            reason="x",
            created_by=people.carol,
        )


def test_only_the_courses_instructors_set_scores(people: People, exercises: Bank) -> None:
    graded(people.alice, exercises.code, 2.0, status=Submission.Status.DONE)
    for user in (people.alice, people.bob, people.dave):
        response = as_user(user).post(page_of(people), {"score": "10", "reason": "me"})
        assert response.status_code == 404
    assert not ScoreOverride.objects.exists()

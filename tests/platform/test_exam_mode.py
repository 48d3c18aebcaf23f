"""Exam mode (Assignment.scores_released_at): until the release date a student sees that each
graded submission was received and nothing of its result, by any path; their instructor sees
everything; at the release date it all shows. Each path is tried over HTTP.

The rule: courses.rules.results_withheld; applied by submissions.selectors
(submissions_for_viewer, report_for_viewer) and submissions.scores (seen_by_student).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import api_token_create
from courses.models import Assignment
from graders.report import Check, Report, Verdict
from submissions.models import Submission
from submissions.rules import score_withheld
from tests.platform.conftest import WRONG_CODE, Bank, People, assignment, make_submission

pytestmark = pytest.mark.django_db

COURSE_PAGE = "/courses/ml101/exercises/double-it/"
CHECK_NAME = "doubles a negative number"  # in the stored report only


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def graded(people: People, exercises: Bank, **fields: Any) -> Submission:
    report = Report(
        exercise="double-it",
        version="v1",
        seed=1234,
        verdict=Verdict.ACCEPTED,
        score=10.0,
        max_score=10.0,
        checks=[Check(name=CHECK_NAME, passed=True, message="right", visible=True)],
    )
    return make_submission(
        people.alice, exercises.code, status="done", verdict="accepted",
        report=report.to_dict(), finished_at=timezone.now(), **fields,
    )  # fmt: skip


@pytest.fixture
def exam(exercises: Bank) -> Assignment:
    rules = assignment(exercises)
    rules.scores_released_at = timezone.now() + timedelta(days=2)
    rules.solution_policy = Assignment.SolutionPolicy.SOLVED
    rules.save()
    return rules


def test_until_the_release_a_student_learns_nothing_of_a_graded_result(
    exercises: Bank, people: People, exam: Assignment
) -> None:
    first = graded(people, exercises)
    second = make_submission(
        people.alice, exercises.code, status="done", verdict="rejected", score=2.0,
        max_score=10.0, code=WRONG_CODE, attempt=2,
    )  # fmt: skip
    alice = as_user(people.alice)
    pages = {
        "submission": f"/submissions/{first.pk}/",
        "exercise": COURSE_PAGE,
        "course home": "/courses/ml101/",
        "course list": "/courses/",
        "history": "/exercises/double-it/history/",
        "diff": f"/submissions/{first.pk}/diff/{second.pk}/",
        "my submissions": "/submissions/",
        "self-test catalog": "/exercises/",
        "self-test page": "/exercises/double-it/",
    }
    for name, url in pages.items():
        response = alice.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        for leak in ("Accepted", "Rejected", "10 / 10", "2 / 10", CHECK_NAME, "solved it"):
            assert leak not in page, (name, leak)
    assert "Received · results on" in alice.get(f"/submissions/{first.pk}/").content.decode()
    exercise_page = alice.get(COURSE_PAGE).content.decode()
    assert 'id="exam-mode"' in exercise_page and "released on" in exercise_page
    assert 'data-status="solved"' not in alice.get("/courses/ml101/").content.decode()

    token = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=people.alice)[1]}"}
    one = Client().get(f"/api/v1/submissions/{first.pk}", **token).json()
    assert one["verdict"] is None and one["score"] is None and one["raw_score"] is None
    assert one["report"] is None and one["results_withheld_until"]
    listed = Client().get("/api/v1/submissions", **token).json()
    assert {s["verdict"] for s in listed} == {None} and {s["score"] for s in listed} == {None}
    assert CHECK_NAME not in json.dumps(listed)

    # Asking for a review needs the results: refused with the date, nothing stored.
    refused = alice.post(f"/submissions/{first.pk}/review/request/", {"reason": "please"})
    assert "released on" in refused.content.decode() or refused.status_code in (302, 400)
    assert not first.regrade_requests.exists()

    # The instructor grades: the gradebook and the submission page show everything.
    carol = as_user(people.carol)
    assert "Accepted" in carol.get(f"/submissions/{first.pk}/").content.decode()
    book = carol.get("/teach/ml101/gradebook/").content.decode()
    assert "10" in book and 'class="meta exam-mode"' in carol.get("/teach/ml101/").content.decode()


def test_at_the_release_date_everything_shows(
    exercises: Bank, people: People, exam: Assignment
) -> None:
    first = graded(people, exercises)
    assert score_withheld(exam)
    exam.scores_released_at = timezone.now() - timedelta(minutes=1)
    exam.save()
    assert not score_withheld(exam)
    alice = as_user(people.alice)
    page = alice.get(f"/submissions/{first.pk}/").content.decode()
    assert "Accepted" in page and CHECK_NAME in page
    assert "You solved it" in alice.get(COURSE_PAGE).content.decode()
    token = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=people.alice)[1]}"}
    one = Client().get(f"/api/v1/submissions/{first.pk}", **token).json()
    assert one["verdict"] == "accepted" and one["score"] == 10.0
    assert one["results_withheld_until"] is None


def test_practice_runs_are_not_withheld(exercises: Bank, people: People, exam: Assignment) -> None:
    run = make_submission(
        people.alice, exercises.code, mode="practice", visible_only=True, attempt=None,
        course=exam.course, status="done", verdict="accepted", score=10.0, max_score=10.0,
    )  # fmt: skip
    page = as_user(people.alice).get(f"/submissions/{run.pk}/").content.decode()
    assert "Accepted" in page


def test_the_instructor_sets_exam_mode_on_the_assignment_form(
    exercises: Bank, people: People
) -> None:
    assignment(exercises)
    carol = as_user(people.carol)
    form = carol.get("/teach/ml101/assignments/double-it/").content.decode()
    assert 'name="scores_released_at"' in form
    when = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = carol.post(
        "/teach/ml101/assignments/double-it/",
        {
            "published": "on", "due_at": "", "late_policy": "penalty", "penalty_per_day": "10",
            "max_attempts": "", "feedback_release": "now", "scores_released_at": when,
            "solution_policy": "never", "solution_after_attempts": "5",
        },
    )  # fmt: skip
    assert response.status_code == 302
    saved = Assignment.objects.get(course__slug="ml101", exercise=exercises.code)
    assert saved.scores_released_at is not None and score_withheld(saved)

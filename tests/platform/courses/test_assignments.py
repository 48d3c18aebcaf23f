"""The course page's assignments table, the assignment page, and publish/unpublish."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from catalog.models import Exercise
from courses.models import Assignment, Course
from courses.services import AssignmentInvalid, assignment_update
from tests.platform.conftest import Bank, assignment

pytestmark = pytest.mark.django_db

PAGE = "/teach/ml101/assignments/double-it/"

VALID: dict[str, Any] = {
    "published": "on",
    "due_at": "2030-03-01T23:59",
    "late_policy": "penalty",
    "penalty_per_day": "12.5",
    "max_attempts": "3",
    "feedback_release": "due",
    "solution_policy": "attempts",
    "solution_after_attempts": "4",
}


def test_the_table_lists_every_assignable_exercise_by_topic_with_its_rules(
    carol: Client, exercises: Bank
) -> None:
    Exercise.objects.create(
        slug="retired", title="Retired", topic="backprop", kind="code", points=1, is_active=False
    )
    Assignment.objects.filter(exercise=exercises.math).delete()

    response = carol.get("/teach/ml101/")

    ((topic, rows),) = response.context["topics"]
    assert topic == "Backpropagation"
    assert [(row.exercise.slug, row.assignment is not None) for row in rows] == [
        ("double-it", True),
        ("count-params", False),
    ]
    html = response.content.decode()
    assert f'href="{PAGE}"' in html
    assert "not assigned" in html and "retired" not in html.lower().replace("not assigned", "")


def test_the_assignment_page_shows_the_current_rules_in_the_course_time_zone(
    carol: Client, exercises: Bank, settings: Any
) -> None:
    settings.TIME_ZONE = "UTC"  # the site's; the course's own zone is what counts
    Course.objects.filter(slug="ml101").update(time_zone="Europe/Paris")
    assignment_update(
        course=Course.objects.get(slug="ml101"),
        exercise=exercises.code,
        **{
            **dict(published=True, late_policy="accept", penalty_per_day=10.0),
            **dict(max_attempts=None, feedback_release="due", solution_policy="due"),
            "solution_after_attempts": 5,
            "due_at": datetime(2030, 1, 15, 17, 0, tzinfo=ZoneInfo("UTC")),
        },
    )

    html = carol.get(PAGE).content.decode()

    assert 'type="datetime-local" name="due_at" value="2030-01-15T18:00"' in html  # UTC+1
    assert "Due date (Europe/Paris time)" in html
    assert 'id="id_published" checked>' in html
    assert '<option value="due" selected>' in html
    for element in (
        "id_published",
        "id_due_at",
        "id_late_policy",
        "id_penalty_per_day",
        "id_max_attempts",
        "id_feedback_release",
        "id_solution_policy",
        "id_solution_after_attempts",
        "save-assignment",
    ):
        assert f'id="{element}"' in html, element
    assert html.count("<h1") == 1


def test_saving_the_rules_updates_the_assignment(
    carol: Client, exercises: Bank, settings: Any
) -> None:
    settings.TIME_ZONE = "UTC"
    Course.objects.filter(slug="ml101").update(time_zone="Europe/Paris")

    response = carol.post(PAGE, VALID)

    assert response.status_code == 302
    assert response["Location"] == "/teach/ml101/#assignments"
    saved = assignment(exercises)
    assert saved.published
    assert saved.due_at == datetime(2030, 3, 1, 22, 59, tzinfo=ZoneInfo("UTC"))  # Paris is +1
    assert (saved.late_policy, saved.penalty_per_day, saved.max_attempts) == ("penalty", 12.5, 3)
    assert saved.feedback_release == "due"
    assert (saved.solution_policy, saved.solution_after_attempts) == ("attempts", 4)


def test_blank_attempts_mean_unlimited_and_blank_due_date_means_none(
    carol: Client, exercises: Bank
) -> None:
    carol.post(PAGE, {**VALID, "max_attempts": "", "due_at": "", "feedback_release": "now"})
    saved = assignment(exercises)
    assert saved.max_attempts is None and saved.due_at is None and saved.feedback_release == "now"


def test_saving_assigns_an_exercise_not_yet_in_the_course(carol: Client, exercises: Bank) -> None:
    Assignment.objects.filter(exercise=exercises.math).delete()
    page = "/teach/ml101/assignments/count-params/"
    assert "not assigned yet" in carol.get(page).content.decode()

    carol.post(page, {**VALID, "published": ""})

    created = assignment(exercises, "math")
    assert not created.published and created.max_attempts == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("penalty_per_day", "-1", "percentage from 0 to 100"),
        ("penalty_per_day", "100.5", "percentage from 0 to 100"),
        ("penalty_per_day", "nan", "Enter a number"),
        ("max_attempts", "0", "at least 1 attempt"),
        ("solution_after_attempts", "-1", "cannot be negative"),
        ("late_policy", "whenever", "Select a valid choice"),
        ("due_at", "next tuesday", "Enter a valid date/time"),
    ],
)
def test_invalid_rules_are_refused_with_the_reason_by_the_field(
    carol: Client, exercises: Bank, field: str, value: str, message: str
) -> None:
    before = assignment(exercises)

    response = carol.post(PAGE, {**VALID, field: value})

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert f'id="id_{field}"' in response.content.decode()
    after = assignment(exercises)
    assert (after.updated_at, after.max_attempts) == (before.updated_at, before.max_attempts)


def test_the_service_itself_refuses_out_of_range_rules(exercises: Bank) -> None:
    with pytest.raises(AssignmentInvalid) as caught:
        assignment_update(
            course=Course.objects.get(slug="ml101"),
            exercise=exercises.code,
            published=True,
            due_at=datetime(2030, 1, 1),  # naive: which time zone?
            late_policy="penalty",
            penalty_per_day=float("inf"),
            max_attempts=0,
            feedback_release="sometimes",
            solution_policy="sometimes",
            solution_after_attempts=-2,
        )
    assert set(caught.value.errors) == {
        "due_at",
        "penalty_per_day",
        "max_attempts",
        "feedback_release",
        "solution_policy",
        "solution_after_attempts",
    }


def test_publish_and_unpublish_from_the_table(carol: Client, exercises: Bank) -> None:
    response = carol.post("/teach/ml101/assignments/double-it/publish/", {"published": "0"})

    assert response.status_code == 302 and response["Location"] == "/teach/ml101/#assignments"
    assert not assignment(exercises).published
    assert "not published" in carol.get("/teach/ml101/").content.decode()
    carol.post("/teach/ml101/assignments/double-it/publish/", {"published": "1"})
    assert assignment(exercises).published


def test_publishing_an_unassigned_exercise_assigns_it(carol: Client, exercises: Bank) -> None:
    Assignment.objects.filter(exercise=exercises.math).delete()
    carol.post("/teach/ml101/assignments/count-params/publish/", {"published": "1"})
    created = assignment(exercises, "math")
    assert created.published and created.due_at is None and created.max_attempts is None


def test_an_exercise_that_cannot_be_assigned_is_404(carol: Client, exercises: Bank) -> None:
    Exercise.objects.filter(pk=exercises.math.pk).update(is_active=False)
    assert carol.get("/teach/ml101/assignments/count-params/").status_code == 404
    assert carol.get("/teach/ml101/assignments/nope/").status_code == 404
    response = carol.post("/teach/ml101/assignments/nope/publish/", {"published": "1"})
    assert response.status_code == 404

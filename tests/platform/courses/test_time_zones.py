"""A course's time zone: deadlines entered and shown in it, with the zone named, across a change
of summer time (courses/time.py, courses/rules.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import api_token_create
from courses.models import Assignment, Course
from courses.rules import student_rules
from courses.services import CourseError, course_time_zone_set
from courses.time import canonical_zone_name, deadline_text, local_instant
from gradebook.selectors import student_result
from tests.platform.conftest import CORRECT_CODE, Bank, People, assignment
from tests.platform.gradebook.conftest import graded

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
RULES: dict[str, Any] = {
    "published": "on",
    "late_policy": "penalty",
    "penalty_per_day": "10",
    "max_attempts": "",
    "feedback_release": "now",
    "solution_policy": "attempts",
    "solution_after_attempts": "5",
}


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_paris(exercises: Bank) -> Course:
    course = Course.objects.get(slug="ml101")
    course_time_zone_set(course=course, time_zone="Europe/Paris")
    return course


# -- choosing the zone ------------------------------------------------------------------------------
def test_a_new_course_takes_the_sites_zone(carol: Client, settings: Any) -> None:
    settings.TIME_ZONE = "America/New_York"
    carol.post("/teach/", {"title": "Deep Learning", "slug": "dl", "description": ""})
    assert Course.objects.get(slug="dl").time_zone == "America/New_York"


def test_the_zone_is_set_on_the_course_page_and_an_unknown_one_is_refused(
    carol: Client, people: People
) -> None:
    page = carol.get("/teach/ml101/").content.decode()
    assert 'id="time-zone-form"' in page and '<option value="Europe/Paris">' in page

    saved = carol.post("/teach/ml101/time-zone/", {"time_zone": "europe/paris"})
    assert saved.status_code == 302 and saved["Location"] == "/teach/ml101/#time-zone"
    assert Course.objects.get(slug="ml101").time_zone == "Europe/Paris"  # as the database spells it
    assert "now entered and shown in Europe/Paris" in carol.get("/teach/ml101/").content.decode()

    refused = carol.post("/teach/ml101/time-zone/", {"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Unknown time zone &#x27;Mars/Olympus_Mons&#x27;: use an IANA name" in html
    assert 'value="Mars/Olympus_Mons"' in html  # what was typed stays in the box
    assert Course.objects.get(slug="ml101").time_zone == "Europe/Paris"
    assert carol.post("/teach/ml101/time-zone/", {"time_zone": ""}).status_code == 400
    assert canonical_zone_name("../../etc/passwd") is None


def test_only_the_courses_instructors_set_its_zone(people: People) -> None:
    for user in (people.alice, people.dave):
        response = as_user(user).post("/teach/ml101/time-zone/", {"time_zone": "Asia/Tokyo"})
        assert response.status_code == 404
    assert Course.objects.get(slug="ml101").time_zone != "Asia/Tokyo"
    with pytest.raises(CourseError, match="unknown time zone"):
        course_time_zone_set(course=Course.objects.get(slug="ml101"), time_zone="Nowhere")


# -- entering and showing deadlines across a change of summer time --------------------------------
def test_deadlines_typed_as_1850_before_and_after_summer_time_ends_stay_1850(
    carol: Client, exercises: Bank, people: People, settings: Any
) -> None:
    settings.TIME_ZONE = "America/New_York"  # the site's zone must play no part
    in_paris(exercises)

    carol.post("/teach/ml101/assignments/double-it/", {**RULES, "due_at": "2030-10-26T18:50"})
    carol.post("/teach/ml101/assignments/count-params/", {**RULES, "due_at": "2030-11-08T18:50"})

    # Summer time (UTC+2) on 26 October, winter time (UTC+1) on 8 November: 18:50 both times.
    assert assignment(exercises, "code").due_at == datetime(2030, 10, 26, 16, 50, tzinfo=UTC)
    assert assignment(exercises, "math").due_at == datetime(2030, 11, 8, 17, 50, tzinfo=UTC)
    october, november = "Sat 26 Oct 2030, 18:50 CEST", "Fri 8 Nov 2030, 18:50 CET"
    form = carol.get("/teach/ml101/assignments/double-it/").content.decode()
    assert 'name="due_at" value="2030-10-26T18:50"' in form and "(Europe/Paris time)" in form
    pages = {
        "teach": carol.get("/teach/ml101/"),
        "gradebook": carol.get("/teach/ml101/gradebook/"),
        "statistics": carol.get("/teach/ml101/gradebook/exercises/double-it/"),
        "course home": as_user(people.alice).get("/courses/ml101/"),
        "exercise": as_user(people.alice).get("/courses/ml101/exercises/double-it/"),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert october in html, name
        if name != "statistics" and name != "exercise":
            assert november in html, name
    exercise = pages["exercise"].content.decode()
    assert '<time datetime="2030-10-26T18:50:00+02:00">' in exercise
    assert "due in" in exercise  # relative words stay


def test_the_api_gives_the_deadline_with_the_courses_offset(
    exercises: Bank, people: People
) -> None:
    in_paris(exercises)
    Assignment.objects.filter(pk=assignment(exercises).pk).update(
        due_at=datetime(2030, 11, 8, 17, 50, tzinfo=UTC)
    )
    token = api_token_create(user=people.alice)[1]
    got = Client().get("/api/v1/exercises/double-it", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert got.json()["due_at"] == "2030-11-08T18:50:00+01:00"


def test_a_time_that_does_not_exist_or_happens_twice_is_refused_with_the_reason(
    carol: Client, exercises: Bank
) -> None:
    in_paris(exercises)
    before = assignment(exercises).due_at
    for typed in ("2030-03-31T02:30", "2030-10-27T02:30"):  # skipped / repeated in Paris
        response = carol.post("/teach/ml101/assignments/double-it/", {**RULES, "due_at": typed})
        assert response.status_code == 400
        (error,) = response.context["form"].errors["due_at"]
        assert "couldn’t be interpreted in time zone Europe/Paris" in error
        assert f'value="{typed}"' in response.content.decode()
    assert assignment(exercises).due_at == before
    with pytest.raises(ValueError, match="does not exist"):
        local_instant(datetime(2030, 3, 31, 2, 30), "Europe/Paris")
    with pytest.raises(ValueError, match="happens twice"):
        local_instant(datetime(2030, 10, 27, 2, 30), "Europe/Paris")


# -- days late on the course's clock ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("due", "sent", "days"),
    [
        # Summer time ends in the night of 26-27 October 2030: that day has 25 hours.
        ((2030, 10, 26), (2030, 10, 27, 18, 45), 1),  # 25 h 55 min later, before 18:50
        ((2030, 10, 26), (2030, 10, 27, 18, 55), 2),
        # It starts in the night of 30-31 March 2030: that day has 23 hours.
        ((2030, 3, 30), (2030, 3, 31, 18, 45), 1),
        ((2030, 3, 30), (2030, 3, 31, 18, 55), 2),  # 23 h 05 min later, but after 18:50
        ((2030, 3, 30), (2030, 3, 30, 18, 51), 1),
        ((2030, 3, 30), (2030, 4, 2, 18, 50), 3),
    ],
)
def test_days_late_count_on_the_courses_clock_across_summer_time(
    exercises: Bank, people: People, due: tuple[int, ...], sent: tuple[int, ...], days: int
) -> None:
    in_paris(exercises)
    row = assignment(exercises)
    row.due_at = datetime(*due, 18, 50, tzinfo=PARIS)
    row.penalty_per_day = 10
    row.save()
    at = datetime(*sent, tzinfo=PARIS)

    graded(people.alice, exercises.code, 10.0, at=at)

    cell = student_result(assignment=assignment(exercises), student=people.alice)
    assert cell.days_late == days
    assert cell.score == pytest.approx(10.0 * (1 - days / 10))
    assert student_rules(assignment(exercises)).days_late(at) == days


def test_the_late_words_name_when_the_current_days_penalty_ends(
    exercises: Bank, people: People
) -> None:
    in_paris(exercises)
    row = assignment(exercises)
    row.due_at = timezone.now() - timedelta(days=1, hours=1)  # 2 started days
    row.penalty_per_day = 10
    row.save()
    page = as_user(people.alice).get("/courses/ml101/exercises/double-it/").content.decode()
    ends = deadline_text(row.due_at + timedelta(days=2), "Europe/Paris")
    assert f"late work loses 10% per day, 80% now (until {ends})" in page
    assert re.search(r"\d\d:\d\d CES?T", ends)


# -- refusals name the deadline in the course's zone ------------------------------------------------
def test_the_deadline_refusal_names_it_in_the_courses_zone(
    exercises: Bank, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("submissions.queue.enqueue_grading", lambda pk, **_: None)
    in_paris(exercises)
    row = assignment(exercises)
    row.due_at = timezone.now() - timedelta(hours=1)
    row.late_policy = Assignment.LatePolicy.PRACTICE_ONLY
    row.save()
    shown = deadline_text(row.due_at, "Europe/Paris")

    token = api_token_create(user=people.alice)[1]
    refused = Client().post(
        "/api/v1/submissions",
        json.dumps({"exercise": "double-it", "code": CORRECT_CODE}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 403
    assert refused.json()["message"].startswith(f"the deadline ({shown}) has passed")
    page = as_user(people.alice).get("/courses/ml101/exercises/double-it/").content.decode()
    assert f"The deadline ({shown}) has passed" in page

"""Per-student extensions and accommodations: another deadline and/or more attempts for one
student, seen by that student only and applied by every rule (courses/rules.py)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.services import api_token_create
from courses.models import Assignment, Course, Extension
from courses.selectors import rules_for
from courses.services import CourseError, extension_grant
from gradebook.selectors import student_result
from submissions.models import Submission
from submissions.selectors import HIDDEN_UNTIL_DEADLINE, report_for_viewer
from tests.platform.conftest import CORRECT_CODE, WRONG_CODE, Bank, People, assignment
from tests.platform.gradebook.conftest import graded

pytestmark = pytest.mark.django_db

PAGE = "/courses/ml101/exercises/double-it/"


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)[1]}"}


def submit(user: User, code: str = CORRECT_CODE) -> Any:
    return Client().post(
        "/api/v1/submissions",
        json.dumps({"exercise": "double-it", "code": code}),
        content_type="application/json",
        **bearer(user),
    )


@pytest.fixture
def quiet_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("submissions.queue.enqueue_grading", lambda pk, **_: None)


@pytest.fixture
def closed(exercises: Bank) -> Assignment:
    """double-it: its deadline passed an hour ago, practice only after it, one attempt."""
    row = assignment(exercises)
    row.due_at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    row.late_policy = Assignment.LatePolicy.PRACTICE_ONLY
    row.max_attempts = 1
    row.save()
    return row


def grant_form(carol: Client, **fields: Any) -> Any:
    local = timezone.now().astimezone(timezone.get_default_timezone())
    data = {
        "student": "",
        "assignment": "",
        "due_at": (local + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "extra_attempts": "1",
        "reason": "medical certificate",
        **fields,
    }
    # The form's fields are prefixed: the course page has other forms with a file or a date.
    prefixed = {f"extension-{name}": value for name, value in data.items()}
    return carol.post("/teach/ml101/extensions/", prefixed)


# -- giving one -----------------------------------------------------------------------------------
def test_an_instructor_gives_one_student_an_extension_on_the_course_page(
    carol: Client, people: People, closed: Assignment
) -> None:
    response = grant_form(carol, student=str(people.alice.pk), assignment=str(closed.pk))

    assert response.status_code == 302 and response["Location"] == "/teach/ml101/#extensions"
    extension = Extension.objects.get()
    assert (extension.student, extension.assignment, extension.extra_attempts) == (
        people.alice,
        closed,
        1,
    )
    assert extension.reason == "medical certificate" and extension.created_by == people.carol
    page = carol.get("/teach/ml101/").content.decode()
    listed = page[page.index('id="extension-list"') :]
    assert 'data-student="alice"' in listed and "medical certificate" in listed
    assert 'data-student="bob"' not in listed
    # The gradebook marks it, on alice's cell only, and her student page explains it.
    book = carol.get("/teach/ml101/gradebook/").content.decode()
    assert book.count(">extended</span>") == 1
    student_page = carol.get(
        f"/teach/ml101/gradebook/students/{people.alice.pk}/exercises/double-it/"
    ).content.decode()
    assert "medical certificate" in student_page and "1 extra attempt" in student_page


def test_the_student_sees_their_own_rules_and_nobody_else_does(
    people: People, closed: Assignment
) -> None:
    new_due = (timezone.now() + timedelta(days=2, hours=1)).replace(microsecond=0)
    extension_grant(
        course=closed.course, student=people.alice, assignment=closed, due_at=new_due,
        extra_attempts=2, reason="sports competition", created_by=people.carol,
    )  # fmt: skip

    alice_home = as_user(people.alice).get("/courses/ml101/").content.decode()
    alice_page = as_user(people.alice).get(PAGE).content.decode()
    bob_home = as_user(people.bob).get("/courses/ml101/").content.decode()
    bob_page = as_user(people.bob).get(PAGE).content.decode()

    assert "your extended deadline" in alice_home and "due in 2 days" in alice_home
    assert "0 / 3" in alice_home and "(2 extra for you)" in alice_home
    assert "Your deadline:" in alice_page and "(extended)" in alice_page
    assert "3 left of 3" in alice_page and 'id="submit-graded"' in alice_page
    for page in (alice_home, alice_page):
        assert "sports competition" not in page  # the reason is for the instructors
    for page in (bob_home, bob_page):
        assert "extended" not in page and "extra for you" not in page
    assert "overdue by 1 hour" in bob_home and "0 / 1" in bob_home
    assert "The deadline (" in bob_page and 'id="submit-graded"' not in bob_page

    # The API: the caller's own deadline and attempts.
    mine = Client().get("/api/v1/exercises/double-it", **bearer(people.alice)).json()
    his = Client().get("/api/v1/exercises/double-it", **bearer(people.bob)).json()
    assert datetime.fromisoformat(mine["due_at"]) == new_due and mine["max_attempts"] == 3
    assert datetime.fromisoformat(his["due_at"]) == closed.due_at and his["max_attempts"] == 1
    listed = Client().get("/api/v1/exercises", **bearer(people.alice)).json()
    assert next(e for e in listed if e["slug"] == "double-it")["max_attempts"] == 3


def test_the_graded_refusals_follow_the_students_own_deadline_and_attempts(
    people: People, closed: Assignment, quiet_broker: None
) -> None:
    extension_grant(
        course=closed.course, student=people.alice, assignment=closed,
        due_at=timezone.now() + timedelta(days=1), extra_attempts=1, reason="",
        created_by=people.carol,
    )  # fmt: skip

    refused = submit(people.bob)
    assert refused.status_code == 403 and refused.json()["code"] == "deadline_passed"
    assert submit(people.alice, WRONG_CODE).status_code == 202
    assert submit(people.alice).status_code == 202  # her second attempt: 1 + 1 extra
    third = submit(people.alice)
    assert third.status_code == 403 and third.json()["code"] == "no_attempts_left"
    assert "2 graded attempts allowed" in third.json()["message"]


def test_the_late_factor_counts_from_the_students_deadline(people: People, exercises: Bank) -> None:
    row = assignment(exercises)
    due = timezone.now() - timedelta(days=10)
    row.due_at, row.penalty_per_day = due, 10
    row.save()
    extension_grant(
        course=row.course, student=people.alice, assignment=row, due_at=due + timedelta(days=2),
        extra_attempts=0, reason="", created_by=people.carol,
    )  # fmt: skip
    sent = due + timedelta(days=2, hours=1)
    hers = graded(people.alice, exercises.code, 10.0, at=sent)  # 1 day after her deadline
    his = graded(people.bob, exercises.code, 10.0, at=sent)  # 3 days after the course's

    alice = student_result(assignment=row, student=people.alice)
    bob = student_result(assignment=row, student=people.bob)

    assert (alice.score, alice.days_late) == (pytest.approx(9.0), 1)
    assert (bob.score, bob.days_late) == (pytest.approx(7.0), 3)
    home = as_user(people.alice).get("/courses/ml101/").content.decode()
    assert "9/10: 10/10 less 10% for 1 day late" in home
    csv = as_user(people.carol).get("/teach/ml101/gradebook/export.csv").content.decode()
    assert next(line for line in csv.splitlines() if line.startswith("alice,")).count(",9,")
    # Each submission's own score, on its page and in the API, by its student's deadline.
    assert "less 10% for 1 day late" in (
        as_user(people.alice).get(f"/submissions/{hers.pk}/").content.decode()
    )
    mine = Client().get(f"/api/v1/submissions/{hers.pk}", **bearer(people.alice)).json()
    theirs = Client().get(f"/api/v1/submissions/{his.pk}", **bearer(people.bob)).json()
    assert (mine["score"], theirs["score"]) == (pytest.approx(9.0), pytest.approx(7.0))


def test_hidden_feedback_stays_held_back_until_the_students_own_deadline(
    people: People, exercises: Bank
) -> None:
    row = assignment(exercises)
    row.due_at, row.feedback_release = timezone.now() - timedelta(hours=1), "due"
    row.save()
    extension_grant(
        course=row.course, student=people.alice, assignment=row,
        due_at=timezone.now() + timedelta(days=1), extra_attempts=0, reason="",
        created_by=people.carol,
    )  # fmt: skip
    report = {"checks": [{"name": "hidden 1", "passed": False, "visible": False, "message": "x=3"}]}
    reports = {}
    for user in (people.alice, people.bob):
        made = graded(user, exercises.code, 0.0)
        Submission.objects.filter(pk=made.pk).update(report=report)
        made.report = report
        reports[user.username] = report_for_viewer(made, user)

    assert reports["bob"] == report  # his deadline passed: full feedback
    (check,) = reports["alice"]["checks"]  # hers is ahead: pass/fail only
    assert check["message"] == HIDDEN_UNTIL_DEADLINE.format(outcome="failed")


def test_a_course_wide_extension_moves_every_earlier_deadline_and_adds_attempts(
    people: People, exercises: Bank
) -> None:
    course = Course.objects.get(slug="ml101")
    code, math = assignment(exercises), assignment(exercises, "math")
    code.due_at, code.max_attempts = timezone.now() + timedelta(days=1), 2
    code.save()  # math: no deadline, unlimited attempts
    until = timezone.now() + timedelta(days=5)
    extension_grant(
        course=course, student=people.alice, assignment=None, due_at=until, extra_attempts=1,
        reason="accommodation", created_by=people.carol,
    )  # fmt: skip

    assert (rules_for(code, people.alice).due_at, rules_for(code, people.alice).max_attempts) == (
        until,
        3,
    )
    assert rules_for(math, people.alice).due_at is None  # no deadline stays none
    assert rules_for(math, people.alice).max_attempts is None
    assert rules_for(code, people.bob).due_at == code.due_at
    # A deadline moved later than the extension: the later one wins, nothing is brought forward.
    code.due_at = until + timedelta(days=3)
    code.save()
    assert rules_for(code, people.alice).due_at == code.due_at
    assert not rules_for(code, people.alice).extended


# -- what is refused, with the reason -------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"due_at": "", "extra_attempts": "0"}, "this changes nothing"),
        ({"due_at": "2000-01-01T10:00", "extra_attempts": "0"}, "only moves a deadline later"),
        ({"extra_attempts": "-1"}, "greater than or equal to 0"),
        ({"due_at": "soon"}, "Enter a valid date/time"),
        ({"student": "999999"}, "Select a valid choice"),
    ],
)
def test_an_extension_that_cannot_be_is_refused_with_the_reason(
    carol: Client, people: People, closed: Assignment, fields: dict[str, str], message: str
) -> None:
    data = {"student": str(people.alice.pk), "assignment": str(closed.pk), **fields}
    response = grant_form(carol, **data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'"), html[html.index('id="extension-form"') :][:3000]
    assert 'value="medical certificate"' in html  # what was typed stays
    assert not Extension.objects.exists()


def test_the_service_refuses_what_does_not_fit_the_assignment(
    people: People, exercises: Bank
) -> None:
    course, math = Course.objects.get(slug="ml101"), assignment(exercises, "math")
    later = timezone.now() + timedelta(days=1)
    grant = dict(course=course, reason="", created_by=people.carol)
    with pytest.raises(CourseError, match="has no deadline"):
        extension_grant(
            student=people.alice, assignment=math, due_at=later, extra_attempts=0, **grant
        )
    with pytest.raises(CourseError, match="unlimited attempts already"):
        extension_grant(
            student=people.alice, assignment=math, due_at=None, extra_attempts=2, **grant
        )
    with pytest.raises(CourseError, match="not a student of this course"):
        extension_grant(
            student=people.dave, assignment=None, due_at=later, extra_attempts=0, **grant
        )


def test_granting_again_replaces_and_removing_restores_the_courses_rules(
    carol: Client, people: People, closed: Assignment
) -> None:
    for attempts in ("1", "4"):
        grant_form(
            carol, student=str(people.alice.pk), assignment=str(closed.pk), extra_attempts=attempts
        )
    (extension,) = Extension.objects.all()
    assert rules_for(closed, people.alice).max_attempts == 5

    response = carol.post(f"/teach/ml101/extensions/{extension.pk}/remove/")
    assert response.status_code == 302
    assert rules_for(closed, people.alice).max_attempts == 1
    again = carol.post(f"/teach/ml101/extensions/{extension.pk}/remove/", follow=True)
    assert "removed already" in again.content.decode()


def test_extensions_from_a_csv_file_report_each_bad_line(
    carol: Client, people: People, closed: Assignment
) -> None:
    Course.objects.filter(slug="ml101").update(time_zone="Europe/Paris")
    text = (
        "username,due_at,extra_attempts,exercise,reason\n"
        "alice,2030-12-07 18:50,0,,long illness\n"  # every assignment
        "bob,,2,double-it,\n"
        "mallory,2030-12-07 18:50,0,,\n"
        "bob,next week,0,,\n"
        "bob,2030-03-31 02:30,0,,\n"  # skipped by summer time in Paris
        "bob,2030-12-07,0,,\n"
        "bob,2030-12-07 18:50,0,nope,\n"
        "bob,2030-12-07 18:50,many,,\n"
    )
    upload = SimpleUploadedFile("ext.csv", text.encode(), content_type="text/csv")

    response = carol.post("/teach/ml101/extensions/upload/", {"extensions-csv_file": upload})

    assert response.status_code == 200
    result = response.context["extension_csv_result"]
    assert result.granted == ["alice: all assignments", "bob: Double it"]
    assert [error.split(":")[0] for error in result.errors] == [
        f"line {n}" for n in (4, 5, 6, 7, 8, 9)
    ]
    html = response.content.decode().replace("&#x27;", "'")
    for words in (
        "'mallory' is not a student of this course",
        "'next week' is not a date and time",
        "does not exist in Europe/Paris",
        "has no time of day",
        "'nope' is not assigned in this course",
        "'many' is not a whole number",
    ):
        assert words in html, words
    alice = Extension.objects.get(student=people.alice)
    assert alice.assignment is None and alice.reason == "long illness"
    assert alice.due_at == datetime.fromisoformat("2030-12-07T18:50+01:00")
    assert rules_for(closed, people.bob).max_attempts == 3


def test_a_csv_without_the_columns_is_refused(carol: Client, people: People) -> None:
    upload = SimpleUploadedFile("ext.csv", b"username,email\nalice,a@example.org\n")
    response = carol.post("/teach/ml101/extensions/upload/", {"extensions-csv_file": upload})
    assert response.status_code == 400
    assert "needs a header line username,due_at,extra_attempts" in response.content.decode()


def test_only_the_courses_instructors_give_extensions(people: People, closed: Assignment) -> None:
    data = {"extension-student": str(people.alice.pk), "extension-extra_attempts": "3"}
    for user in (people.alice, people.dave):
        client = as_user(user)
        assert client.post("/teach/ml101/extensions/", data).status_code == 404
    extension = extension_grant(
        course=closed.course, student=people.alice, assignment=None, due_at=None,
        extra_attempts=1, reason="", created_by=people.carol,
    )  # fmt: skip
    assert (
        as_user(people.dave).post(f"/teach/ml101/extensions/{extension.pk}/remove/").status_code
        == 404
    )
    assert Extension.objects.filter(pk=extension.pk).exists()


def test_the_course_page_forms_keep_their_ids_apart(carol: Client, people: People) -> None:
    # Two controls with one id: the second one's label names the first (screen readers, tests).
    page = carol.get("/teach/ml101/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for control in ("id_extension-student", "id_extensions-csv_file", "id_csv_file"):
        assert f'for="{control}"' in page, control

"""The courses side: home, the courses page, a course's home with statuses and deadlines, joining
by invite link, and who may open what."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from catalog.models import Exercise
from courses.models import Assignment, Course, Enrolment, ScoreOverride
from courses.services import (
    assignment_ensure,
    course_ensure,
    enrolment_ensure,
    extension_grant,
)
from tests.platform.conftest import Bank, People, assignment, make_submission

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]


def row_status(page: str, slug: str) -> str:
    found = re.search(rf'data-exercise="{slug}" data-status="(\w+)"', page)
    assert found, f"no row for {slug}"
    return found.group(1)


# -- home and the courses page ----------------------------------------------------------------
def test_home_opens_the_only_course_of_a_student_else_the_courses_page(
    client: Client, signed_in: SignIn, people: People
) -> None:
    assert client.get("/")["Location"] == "/signin/"
    assert signed_in(people.alice).get("/")["Location"] == "/courses/ml101/"
    assert signed_in(people.carol).get("/")["Location"] == "/teach/"  # teaches: /teach/

    enrolment_ensure(course=Course.objects.get(slug="cv201"), user=people.alice)
    assert signed_in(people.alice).get("/")["Location"] == "/courses/"


def test_the_courses_page_shows_progress_and_the_next_deadline(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    now = timezone.now()
    assignment_ensure(
        course=Course.objects.get(slug="ml101"),
        exercise=exercises.code,
        due_at=now + timedelta(days=2, hours=1),
    )
    make_submission(people.alice, exercises.math, status="done", verdict="accepted", score=2.0)

    page = signed_in(people.alice).get("/courses/").content.decode()

    assert "ML 101" in page and "CV 201" not in page
    assert '<progress value="1" max="2"' in page and "1 of 2 solved" in page
    assert "Double it</a>" in page and "due in 2 days" in page


def test_the_nav_links_teaching_pages_for_instructors_only(
    signed_in: SignIn, people: People
) -> None:
    student = signed_in(people.alice).get("/courses/").content.decode()
    assert 'href="/teach/"' not in student and 'href="/teach/exercises/"' not in student
    for link in (
        'href="/courses/"',
        'href="/exercises/"',
        'href="/submissions/"',
        'href="/help/offline/"',
    ):
        assert link in student, link

    teacher = signed_in(people.carol).get("/courses/").content.decode()
    assert 'href="/teach/"' in teacher and 'href="/teach/exercises/"' in teacher
    assert "Courses you teach" in teacher and 'href="/courses/ml101/"' in teacher
    assert 'href="/teach/exercises/"' in signed_in(people.erin).get("/courses/").content.decode()


# -- a course's home ------------------------------------------------------------------------------
def test_statuses_solved_tried_new(signed_in: SignIn, exercises: Bank, people: People) -> None:
    alice = signed_in(people.alice)
    page = alice.get("/courses/ml101/").content.decode()
    assert row_status(page, "double-it") == "new" and row_status(page, "count-params") == "new"

    # Practice that counts makes it "tried"; an unparseable answer or a grader fault does not.
    make_submission(
        people.alice,
        exercises.math,
        mode="practice",
        attempt=None,
        status="done",
        verdict="invalid_answer",
    )
    make_submission(people.alice, exercises.math, status="error", verdict="internal_error")
    assert row_status(alice.get("/courses/ml101/").content.decode(), "count-params") == "new"
    make_submission(
        people.alice,
        exercises.math,
        mode="practice",
        attempt=None,
        status="done",
        verdict="rejected",
    )
    # Accepted in practice is still only "tried": solved needs an accepted graded submission.
    make_submission(
        people.alice,
        exercises.code,
        mode="practice",
        attempt=None,
        status="done",
        verdict="accepted",
    )
    page = alice.get("/courses/ml101/").content.decode()
    assert row_status(page, "count-params") == "tried" and row_status(page, "double-it") == "tried"

    make_submission(
        people.alice, exercises.code, status="done", verdict="accepted", score=10.0, max_score=10.0
    )
    page = alice.get("/courses/ml101/").content.decode()
    assert row_status(page, "double-it") == "solved"
    assert "10 / 10" in page
    # Bob's standing is his own.
    assert (
        row_status(signed_in(people.bob).get("/courses/ml101/").content.decode(), "double-it")
        == "new"
    )


def test_solved_counts_only_in_the_course_where_it_was_graded(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    other = course_ensure(slug="dl301", title="DL 301")
    enrolment_ensure(course=other, user=people.alice)
    assignment_ensure(course=other, exercise=exercises.code, published=True)
    make_submission(people.alice, exercises.code, course=other, status="done", verdict="accepted")

    alice = signed_in(people.alice)
    assert row_status(alice.get("/courses/dl301/").content.decode(), "double-it") == "solved"
    assert row_status(alice.get("/courses/ml101/").content.decode(), "double-it") == "new"


def test_per_topic_progress_attempts_and_the_overall_progress(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    code = assignment(exercises, "code")
    code.max_attempts = 3
    code.save()
    make_submission(people.alice, exercises.code, status="done", verdict="rejected", score=0.0)
    make_submission(
        people.alice, exercises.code, status="done", verdict="accepted", score=10.0, attempt=2
    )

    page = signed_in(people.alice).get("/courses/ml101/").content.decode()

    assert "Backpropagation" in page
    assert '<progress value="1" max="2" aria-label="Backpropagation: 1 of 2 solved">' in page
    progress = page[page.index('id="course-progress"') :]
    assert "1 of 2 solved" in progress[:600]
    assert "2 / 3" in page  # attempts used / max
    assert "0 / unlimited" in page  # the math exercise


def test_deadlines_in_words_and_whats_due(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    now = timezone.now()
    ml101 = Course.objects.get(slug="ml101")
    assignment_ensure(
        course=ml101,
        exercise=exercises.code,
        due_at=now + timedelta(days=5, hours=2),
        late_policy=Assignment.LatePolicy.PENALTY,
        penalty_per_day=10,
    )
    assignment_ensure(
        course=ml101,
        exercise=exercises.math,
        due_at=now + timedelta(days=2, hours=2),
        late_policy=Assignment.LatePolicy.PRACTICE_ONLY,
    )
    page = signed_in(people.alice).get("/courses/ml101/").content.decode()

    due = page[
        page.index('id="whats-due"') : page.index("</section>", page.index('id="whats-due"'))
    ]
    assert due.index("Count the parameters") < due.index("Double it")  # soonest first
    assert "due in 2 days" in page and "due in 5 days" in page
    assert "late submissions lose 10% of the score per day late" in page
    assert "after the deadline: practice only" in page

    # Past the deadline: overdue, and no longer in "What's due"; once solved, not overdue.
    assignment_ensure(
        course=ml101, exercise=exercises.math, due_at=now - timedelta(days=1, hours=1)
    )
    page = signed_in(people.alice).get("/courses/ml101/").content.decode()
    due = page[
        page.index('id="whats-due"') : page.index("</section>", page.index('id="whats-due"'))
    ]
    assert "Count the parameters" not in due and "Double it" in due
    assert "overdue by 1 day" in page

    make_submission(people.alice, exercises.math, status="done", verdict="accepted")
    page = signed_in(people.alice).get("/courses/ml101/").content.decode()
    assert "overdue" not in page and "deadline passed" in page


def whats_due_section(page: str) -> str:
    start = page.index('id="whats-due"')
    return page[start : page.index("</section>", start)]


def test_whats_due_keeps_overdue_work_that_still_earns_something_with_the_penalty_in_words(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    ml101 = Course.objects.get(slug="ml101")
    now = timezone.now()
    code = assignment_ensure(
        course=ml101,
        exercise=exercises.code,
        due_at=now - timedelta(days=1, hours=1),  # 2 started days late: 80% now
        late_policy=Assignment.LatePolicy.PENALTY,
        penalty_per_day=10,
    )
    assignment_ensure(
        course=ml101,
        exercise=exercises.math,
        due_at=now - timedelta(hours=3),
        late_policy=Assignment.LatePolicy.ACCEPT,
    )
    alice = signed_in(people.alice)

    due = whats_due_section(alice.get("/courses/ml101/").content.decode())

    assert "Double it" in due and "Count the parameters" in due
    assert "overdue by 1 day</time>: " in due
    assert "late work loses 10% per day, 80% now (until " in due
    assert "overdue by 3 hours</time>: " in due and "late work counts in full" in due
    assert due.index("Double it") < due.index("Count the parameters")  # most overdue first
    listed = alice.get("/courses/").content.decode()
    assert "late work loses 10% per day, 80% now" in listed and "1 more due" in listed

    # Nothing more to earn: the penalty reached 100%, practice only, or no attempts left.
    code.penalty_per_day = 50
    code.save()
    assignment_ensure(
        course=ml101, exercise=exercises.math, late_policy=Assignment.LatePolicy.PRACTICE_ONLY
    )
    due = whats_due_section(alice.get("/courses/ml101/").content.decode())
    assert "Double it" not in due and "Count the parameters" not in due
    assert "Nothing due" in due
    code.penalty_per_day, code.max_attempts = 10, 1
    code.save()
    assert "Double it" in whats_due_section(alice.get("/courses/ml101/").content.decode())
    make_submission(people.alice, exercises.code, status="done", verdict="rejected", score=0.0)
    assert "Double it" not in whats_due_section(alice.get("/courses/ml101/").content.decode())


def test_the_course_home_makes_a_fixed_number_of_queries(
    signed_in: SignIn, exercises: Bank, people: People, django_assert_max_num_queries: Any
) -> None:
    ml101 = Course.objects.get(slug="ml101")
    for number in range(12):
        extra = Exercise.objects.create(
            slug=f"extra-{number}",
            title=f"Extra {number}",
            topic="attention",
            kind="math",
            points=1,
        )
        assignment_ensure(
            course=ml101,
            exercise=extra,
            published=True,
            due_at=timezone.now() + timedelta(days=number + 1),
        )
        make_submission(people.alice, exercises.code, status="done", verdict="rejected")
        # Her own rules on every one of them, and scores set by hand: read in one query each.
        extension_grant(
            course=ml101,
            student=people.alice,
            assignment=Assignment.objects.get(course=ml101, exercise=extra),
            due_at=timezone.now() + timedelta(days=number + 3),
            extra_attempts=0,
            reason="",
            created_by=people.carol,
        )
        ScoreOverride.objects.create(
            assignment=Assignment.objects.get(course=ml101, exercise=extra),
            student=people.alice,
            score=1.0,
            reason="oral exam",
            created_by=people.carol,
        )
    alice = signed_in(people.alice)

    # Session, user, course, membership, her extensions, her overrides, the assignments, her
    # submissions, their applied regrades, her practice, whether she teaches, her answered
    # regrade requests (reviews' notices): however many.
    with django_assert_max_num_queries(12):
        page = alice.get("/courses/ml101/").content.decode()
    assert page.count("data-status=") == 14
    assert page.count("your extended deadline") == 12 and page.count("set by carol") == 12
    with django_assert_max_num_queries(10):
        alice.get("/courses/")


def test_unpublished_assignments_are_not_listed(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    Assignment.objects.filter(exercise=exercises.math).update(published=False)
    page = signed_in(people.alice).get("/courses/ml101/").content.decode()
    assert "Double it" in page and "Count the parameters" not in page


# -- who may open a course ------------------------------------------------------------------------
def test_course_pages_are_for_members_and_staff(
    client: Client, signed_in: SignIn, exercises: Bank, people: People
) -> None:
    urls = ("/courses/ml101/", "/courses/ml101/exercises/double-it/")
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/signin/?next=")
    for user, expected in (
        (people.alice, 200),
        (people.carol, 200),
        (people.erin, 200),
        (people.dave, 404),  # teaches another course
    ):
        for url in urls:
            assert signed_in(user).get(url).status_code == expected, (user, url)
    assert signed_in(people.alice).get("/courses/nope/").status_code == 404


def test_an_unpublished_exercise_is_404_for_students_and_a_preview_for_instructors(
    signed_in: SignIn, exercises: Bank, people: People
) -> None:
    Assignment.objects.filter(exercise=exercises.code).update(published=False)
    url = "/courses/ml101/exercises/double-it/"
    assert signed_in(people.alice).get(url).status_code == 404
    preview = signed_in(people.carol).get(url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "not published yet" in page and "You teach this course" in page
    assert 'id="submit-graded"' not in page
    # Not assigned in that course at all: 404 for everyone.
    assert signed_in(people.erin).get("/courses/cv201/exercises/double-it/").status_code == 404


# -- joining by invite ----------------------------------------------------------------------------
@pytest.fixture
def newcomer(db: None) -> User:
    from accounts.services import user_create

    return user_create(username="frank", password="frank-pass-123", role=User.Role.STUDENT)


def test_joining_with_a_valid_invite(signed_in: SignIn, people: People, newcomer: User) -> None:
    course = Course.objects.get(slug="ml101")
    frank = signed_in(newcomer)

    page = frank.get(f"/join/{course.invite_code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ML 101" in html and 'id="join-course"' in html and 'method="post"' in html
    assert not Enrolment.objects.filter(user=newcomer).exists()  # a GET never joins

    joined = frank.post(f"/join/{course.invite_code}/")
    assert joined.status_code == 302 and joined["Location"] == "/courses/ml101/"
    assert Enrolment.objects.get(user=newcomer).role == Enrolment.Role.STUDENT
    assert "Welcome to ML 101" in frank.get("/courses/ml101/").content.decode()
    assert "already" in frank.get(f"/join/{course.invite_code}/").content.decode()


def test_a_closed_or_unknown_invite_says_so(
    signed_in: SignIn, people: People, newcomer: User
) -> None:
    course = Course.objects.get(slug="ml101")
    course.invite_open = False
    course.save()
    frank = signed_in(newcomer)
    for url in (f"/join/{course.invite_code}/", "/join/not-a-code/"):
        for response in (frank.get(url), frank.post(url)):
            assert response.status_code == 404
            assert "This invite link does not work" in response.content.decode()
    assert not Enrolment.objects.filter(user=newcomer).exists()


def test_joining_while_signed_out_signs_in_then_comes_back(
    client: Client, people: People, newcomer: User
) -> None:
    code = Course.objects.get(slug="ml101").invite_code
    response = client.get(f"/join/{code}/")
    # Signed out: a sign-in link that comes back here, and a sign-up form (tests/platform/accounts).
    assert response.status_code == 200
    assert f'href="/signin/?next=/join/{code}/"' in response.content.decode()
    assert client.post(f"/join/{code}/").status_code == 400  # an empty sign-up creates nothing
    assert not Enrolment.objects.filter(user=newcomer).exists()

    signed = client.post(
        "/signin/",
        {"username": "frank", "password": "frank-pass-123", "next": f"/join/{code}/"},
    )
    assert signed["Location"] == f"/join/{code}/"
    assert 'id="join-course"' in client.get(signed["Location"]).content.decode()

"""Who may use the course-management pages: the course's instructors and staff, nobody else.

Students, and instructors of other courses, get 404 on every page and every action (a 403
would confirm the course exists); anonymous visitors are sent to sign in. Nothing changes.
"""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import ExerciseAlert
from courses.models import Assignment, Course, Enrolment
from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(people: People, exercises: Bank, alert: ExerciseAlert) -> dict[str, list[str]]:
    base = "/teach/ml101/"
    return {
        "get": [base, base + "assignments/double-it/"],
        "post": [
            base + "invite/open/",
            base + "invite/reset/",
            base + "students/upload/",
            base + f"students/{people.bob.pk}/remove/",
            base + "assignments/double-it/",
            base + "assignments/double-it/publish/",
            base + f"alerts/{alert.pk}/resolve/",
        ],
    }


def snapshot() -> tuple[object, ...]:
    course = Course.objects.get(slug="ml101")
    return (
        course.invite_code,
        course.invite_open,
        sorted(Enrolment.objects.filter(course=course).values_list("user__username", flat=True)),
        sorted(
            Assignment.objects.filter(course=course).values_list("pk", "published", "updated_at")
        ),
        list(ExerciseAlert.objects.filter(resolved_at__isnull=False).values_list("pk")),
    )


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_students_and_other_instructors_get_404_everywhere(
    client: Client, people: People, urls: dict[str, list[str]], who: str
) -> None:
    client.force_login(getattr(people, who))
    before = snapshot()

    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"open": "0", "published": "0"}).status_code == 404, url

    assert snapshot() == before


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_the_courses_instructor_and_staff_use_every_page(
    client: Client, people: People, urls: dict[str, list[str]], who: str
) -> None:
    client.force_login(getattr(people, who))

    for url in urls["get"]:
        assert client.get(url).status_code == 200, url
    action_only = [url for url in urls["post"] if url not in urls["get"]]
    for url in action_only:
        assert client.get(url).status_code == 405, url  # state changes only by POST
        if not url.endswith("/upload/"):
            assert client.post(url, {"open": "0", "published": "0"}).status_code == 302, url
    assert client.post(urls["post"][2]).status_code == 400  # the upload, without a file

    course = Course.objects.get(slug="ml101")
    assert not course.invite_open
    assert not Enrolment.objects.filter(course=course, user=people.bob).exists()
    assert not Assignment.objects.get(course=course, exercise__slug="double-it").published
    assert not ExerciseAlert.objects.filter(resolved_at__isnull=True).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, urls: dict[str, list[str]]) -> None:
    before = snapshot()
    for url in urls["get"] + urls["post"]:
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response["Location"].startswith("/signin/?next=/teach/ml101/"), url
    assert snapshot() == before


def test_dave_manages_his_own_course(client: Client, people: People, exercises: Bank) -> None:
    client.force_login(people.dave)
    assert client.get("/teach/cv201/").status_code == 200
    assert client.get("/teach/cv201/assignments/double-it/").status_code == 200
    assert client.get("/teach/no-such-course/").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.carol)
    code = Course.objects.get(slug="ml101").invite_code

    assert client.post("/teach/ml101/invite/reset/").status_code == 403
    assert client.post("/teach/", {"title": "Sneaky"}).status_code == 403

    assert Course.objects.get(slug="ml101").invite_code == code
    assert not Course.objects.filter(title="Sneaky").exists()

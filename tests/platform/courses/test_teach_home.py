"""/teach/: the courses someone teaches, with their numbers, and creating a course."""

from __future__ import annotations

import pytest
from django.test import Client

from courses.models import Course, Enrolment
from courses.services import assignment_set_published
from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db


def courses_listed(client: Client) -> list[str]:
    response = client.get("/teach/")
    assert response.status_code == 200
    return [s.course.slug for s in response.context["summaries"]]


def test_an_instructor_sees_the_courses_they_teach_with_their_numbers(
    client: Client, people: People, exercises: Bank
) -> None:
    ml101 = Course.objects.get(slug="ml101")
    assignment_set_published(course=ml101, exercise=exercises.math, published=False)
    client.force_login(people.carol)

    response = client.get("/teach/")

    assert [s.course.slug for s in response.context["summaries"]] == ["ml101"]
    (summary,) = response.context["summaries"]
    assert (summary.student_count, summary.published_count, summary.open_alerts) == (2, 1, 0)
    html = response.content.decode()
    assert 'href="/teach/ml101/"' in html
    assert 'href="/teach/ml101/gradebook/"' in html
    assert "cv201" not in html


def test_staff_see_every_course_and_dave_only_his(client: Client, people: People) -> None:
    client.force_login(people.erin)
    assert courses_listed(client) == ["cv201", "ml101"]
    client.force_login(people.dave)
    assert courses_listed(client) == ["cv201"]


def test_the_open_alerts_are_counted_on_the_course(
    client: Client, people: People, alert: object
) -> None:
    client.force_login(people.carol)
    (summary,) = client.get("/teach/").context["summaries"]
    assert summary.open_alerts == 1


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_students_teach_nothing(client: Client, people: People, who: str) -> None:
    client.force_login(getattr(people, who))
    assert client.get("/teach/").status_code == 404
    assert client.post("/teach/", {"title": "Mine", "slug": "mine"}).status_code == 404
    assert not Course.objects.filter(slug="mine").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, people: People) -> None:
    for response in (client.get("/teach/"), client.post("/teach/", {"title": "X"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/?next=/teach/")
    assert Course.objects.count() == 2


def test_an_instructor_creates_a_course_and_teaches_it(client: Client, people: People) -> None:
    client.force_login(people.dave)

    response = client.post(
        "/teach/", {"title": "Deep Learning 301", "slug": "dl301", "description": "Third year."}
    )

    assert response.status_code == 302 and response["Location"] == "/teach/dl301/"
    course = Course.objects.get(slug="dl301")
    assert (course.title, course.description) == ("Deep Learning 301", "Third year.")
    assert Enrolment.objects.get(course=course).user == people.dave
    assert Enrolment.objects.get(course=course).role == Enrolment.Role.INSTRUCTOR
    assert courses_listed(client) == ["cv201", "dl301"]
    assert client.get("/teach/dl301/").status_code == 200
    client.force_login(people.carol)
    assert client.get("/teach/dl301/").status_code == 404


def test_without_a_short_name_it_is_made_from_the_title(client: Client, people: People) -> None:
    client.force_login(people.carol)
    response = client.post("/teach/", {"title": "Vision & Language"})
    assert response["Location"] == "/teach/vision-language/"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ml101", "exists already"),
        ("exercises", "reserved for the site"),
        ("!!!", "made of letters and digits"),
    ],
)
def test_a_taken_or_reserved_short_name_is_refused_with_the_form_kept(
    client: Client, people: People, slug: str, message: str
) -> None:
    client.force_login(people.carol)

    response = client.post("/teach/", {"title": "Again", "slug": slug})

    assert response.status_code == 400
    assert Course.objects.count() == 2
    assert message in " ".join(response.context["form"].errors["slug"])
    html = response.content.decode()
    assert message in html and 'value="Again"' in html


def test_the_create_form_has_the_ids_the_browser_test_uses(client: Client, people: People) -> None:
    client.force_login(people.carol)
    html = client.get("/teach/").content.decode()
    for marker in ('id="course-create"', 'id="id_title"', 'id="id_slug"', "csrfmiddlewaretoken"):
        assert marker in html
    assert html.count("<h1") == 1

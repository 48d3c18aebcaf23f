"""Who may open the gradebook's pages: the course's instructors and staff; nobody else.

Students, and instructors of other courses, get 404 (a 403 would confirm the course exists);
anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import pytest
from django.test import Client

from submissions.models import RegradeBatch, Submission
from tests.platform.conftest import Bank, People
from tests.platform.gradebook.conftest import graded

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(people: People, exercises: Bank) -> dict[str, list[str]]:
    original = graded(people.alice, exercises.code, 5.0)
    batch = RegradeBatch.objects.create(
        course=original.course, exercise=exercises.code, version_id=original.version_id
    )
    base = "/teach/ml101/gradebook/"
    return {
        "get": [
            base,
            base + "export.csv",
            base + "exercises/double-it/",
            base + f"students/{people.alice.pk}/exercises/double-it/",
            base + f"regrades/{batch.pk}/",
        ],
        "post": [
            base + "exercises/double-it/regrade/",
            base + f"regrades/{batch.pk}/apply/",
            base + f"regrades/{batch.pk}/discard/",
        ],
    }


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_students_and_other_instructors_get_404_everywhere(
    client: Client,
    people: People,
    urls: dict[str, list[str]],
    who: str,
    enqueued: list[tuple[int, str]],
) -> None:
    client.force_login(getattr(people, who))

    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url).status_code == 404, url
    assert RegradeBatch.objects.count() == 1
    assert not RegradeBatch.objects.filter(applied_at__isnull=False).exists()
    assert not RegradeBatch.objects.filter(discarded_at__isnull=False).exists()
    assert not Submission.objects.filter(regrade_of__isnull=False).exists()


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_the_courses_instructor_and_staff_see_every_page(
    client: Client,
    people: People,
    urls: dict[str, list[str]],
    who: str,
    enqueued: list[tuple[int, str]],
) -> None:
    client.force_login(getattr(people, who))

    for url in urls["get"]:
        assert client.get(url).status_code == 200, url
    for url in urls["post"]:
        assert client.get(url).status_code == 405, url  # state changes only by POST
        assert client.post(url).status_code == 302, url
    assert RegradeBatch.objects.count() == 2  # the button made one more


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, urls: dict[str, list[str]]) -> None:
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/signin/?next=")
    for url in urls["post"]:
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/signin/?next=")


def test_dave_sees_his_own_courses_gradebook(
    client: Client, people: People, exercises: Bank
) -> None:
    client.force_login(people.dave)

    assert client.get("/teach/cv201/gradebook/").status_code == 200
    assert client.get("/teach/no-such-course/gradebook/").status_code == 404

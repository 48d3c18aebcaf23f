"""Exercise alerts are resolved per course: carol resolving the alert in ml101 must not hide it
from dave's cv201, which assigns the same exercise and whose instructor never saw it.

Over HTTP, as the two instructors would (the alert is raised as the grading worker raises it).
"""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import ExerciseAlert
from catalog.services import exercise_alert_raise
from courses.models import Course
from courses.services import assignment_ensure
from tests.platform.authoring.conftest import signed_in
from tests.platform.conftest import Bank, People

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_alert(exercises: Bank) -> ExerciseAlert:
    """double-it is assigned in ml101 (carol's) and cv201 (dave's); its reference crashed."""
    cv201 = Course.objects.get(slug="cv201")
    assignment_ensure(course=cv201, exercise=exercises.code, published=True)
    version = exercises.code.current_version
    assert version is not None
    alert, created = exercise_alert_raise(version=version, message="ZeroDivisionError")
    assert created
    return alert


def _shown(client: Client, course: str, alert: ExerciseAlert) -> bool:
    return f'data-alert="{alert.pk}"' in client.get(f"/teach/{course}/").content.decode()


def _open_count(client: Client) -> int:
    (summary,) = client.get("/teach/").context["summaries"]
    return summary.open_alerts


def test_an_alert_resolved_in_one_course_stays_open_in_the_other(
    people: People, shared_alert: ExerciseAlert
) -> None:
    carol, dave = signed_in(people.carol), signed_in(people.dave)
    assert _shown(carol, "ml101", shared_alert) and _shown(dave, "cv201", shared_alert)

    response = carol.post(f"/teach/ml101/alerts/{shared_alert.pk}/resolve/")
    assert response.status_code == 302

    assert not _shown(carol, "ml101", shared_alert)
    assert _open_count(carol) == 0
    assert _shown(dave, "cv201", shared_alert)  # dave never saw it: still there for him
    assert _open_count(dave) == 1
    from catalog.models import AlertResolution

    resolution = AlertResolution.objects.get()
    assert (resolution.course.slug, resolution.resolved_by) == ("ml101", people.carol)
    shared_alert.refresh_from_db()
    assert shared_alert.resolved_at is None  # not closed everywhere
    again = carol.post(f"/teach/ml101/alerts/{shared_alert.pk}/resolve/", follow=True)
    assert "was resolved already" in again.content.decode()

    # Once every course that assigns it resolved it, it is closed everywhere: the next failure
    # opens a new alert (and e-mails), as before.
    dave.post(f"/teach/cv201/alerts/{shared_alert.pk}/resolve/")
    assert not _shown(dave, "cv201", shared_alert)
    shared_alert.refresh_from_db()
    assert shared_alert.resolved_at is not None
    version = shared_alert.version
    _alert, created = exercise_alert_raise(version=version, message="ZeroDivisionError")
    assert created


def test_a_failure_after_a_courses_resolution_shows_the_alert_there_again(
    people: People, shared_alert: ExerciseAlert
) -> None:
    carol = signed_in(people.carol)
    carol.post(f"/teach/ml101/alerts/{shared_alert.pk}/resolve/")
    assert not _shown(carol, "ml101", shared_alert)

    # cv201 has not resolved it: the same alert counts up, and ml101 sees it again.
    alert, created = exercise_alert_raise(version=shared_alert.version, message="again")
    assert (alert.pk, created, alert.count) == (shared_alert.pk, False, 2)
    assert _shown(carol, "ml101", shared_alert)
    assert _open_count(carol) == 1


def test_staff_resolve_for_the_course_they_act_in(
    people: People, shared_alert: ExerciseAlert
) -> None:
    erin = signed_in(people.erin)
    erin.post(f"/teach/cv201/alerts/{shared_alert.pk}/resolve/")
    assert not _shown(erin, "cv201", shared_alert)
    assert _shown(erin, "ml101", shared_alert)
    summaries = {s.course.slug: s.open_alerts for s in erin.get("/teach/").context["summaries"]}
    assert summaries == {"cv201": 0, "ml101": 1}
